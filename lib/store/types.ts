/**
 * The conversation store: what one workflow learns (a webhook, a send, a campaign result) and another needs
 * (a reminder checking the window, a campaign skipping opted-out contacts), possibly in another n8n process.
 * Two backends behave identically (proven by test/store/store.contract.ts): embedded SQLite (sqlite.ts) and
 * Redis (redis.ts).
 *
 * Conventions:
 * - Times are epoch milliseconds. Methods that take `at` default it to the store's clock.
 * - A contact is keyed by the business phone number ID (the Cloud API `phone_number_id`; for Messenger /
 *   Instagram the page or account ID) plus a contact ID: the `wa_id` when known, else Meta's business-scoped
 *   `user_id`. When an inbound carries both, the `user_id` becomes an alias of the `wa_id`: lookups by either
 *   find the same contact, and a contact first seen by `user_id` only is merged into its `wa_id` record.
 *   Recontacts, marketing sends and campaign recipients use the contact ID the caller gives (use the wa_id).
 * - Decisions that spend money are atomic claims: of concurrent claimers (executions, processes, workers)
 *   exactly one wins.
 * - Facts from webhooks only move forward: an old, redelivered or reordered event never rewinds a newer one.
 */
import type { Channel } from '../window/channel-rules';

export type { Channel };

/** Why a contact opted out or in (the trigger's names, lib/webhook/opt-change.ts), or a workflow's explicit call. */
export type OptReason = 'keyword' | 'button' | 'user-preferences' | 'error-131050' | 'manual';

/** all: every business-initiated message; marketing: marketing templates only (131050, user_preferences) */
export type OptScope = 'all' | 'marketing';

/** A contact's opt-out or opt-in, when and why. */
export interface OptState {
	optedOut: boolean;
	/** When the change happened (the event's time) */
	at: number;
	reason: OptReason;
	scope: OptScope;
	/** The keyword or payload that matched, an error title... */
	detail?: string;
}

/** What a window check needs to know about a contact (getWindowFacts): identity and the window's facts. */
export interface ContactWindowFacts {
	businessNumberId: string;
	/** The key: wa_id when known, else user_id */
	contactId: string;
	waId?: string;
	userId?: string;
	profileName?: string;
	/** Channel of the last inbound message */
	channel?: Channel;
	lastInboundAt?: number;
	/** Last inbound that carried a `referral` (free entry point candidate) */
	referralAt?: number;
	/** The business's first message at or after referralAt (opens the free entry point when within 24 h) */
	firstReplyAfterReferralAt?: number;
}

/** Everything the store knows about one contact of a business number. */
export interface ContactState extends ContactWindowFacts {
	lastInboundMessageId?: string;
	/** What the referral was, e.g. "ad:120208..." (source_type:source_id) */
	referralSource?: string;
	optOut?: OptState;
	/** 131049 (per-user marketing limit): no marketing template before this time */
	marketingHoldUntil?: number;
	/** The last campaign send to this contact: an inbound after it counts as that recipient's reply */
	lastCampaign?: { campaignId: string; recipientId: string; sentAt: number };
	updatedAt: number;
}

/** An inbound message to record against a contact. */
export interface InboundInput {
	businessNumberId: string;
	/** At least one of waId / userId */
	waId?: string;
	userId?: string;
	/** The message's time (webhook `timestamp`) */
	at: number;
	messageId?: string;
	channel?: Channel;
	profileName?: string;
	/** The inbound carried a `referral`: a new free-entry-point cycle starts (when newer than the last one) */
	referral?: { sourceType?: string; sourceId?: string } | boolean;
}

/** What recording an inbound changed. */
export interface InboundResult {
	/** The last inbound time moved forward (false for an old or duplicate event) */
	advanced: boolean;
	contact: ContactState;
}

/** An opt change to record. */
export interface OptInput {
	optedOut: boolean;
	at: number;
	reason: OptReason;
	scope?: OptScope;
	detail?: string;
}

/** A spent recontact: one paid template per contact and query. */
export interface RecontactRecord {
	businessNumberId: string;
	contactId: string;
	queryId: string;
	spentAt: number;
	/** Free reference given by the claimer (execution ID, wamid...) */
	ref?: string;
	/** Proof of ownership for releaseRecontact */
	token: string;
}

/** Whether this claimer won the recontact. */
export interface RecontactClaim {
	/** true for exactly one of concurrent claimers; false when the recontact was already spent */
	won: boolean;
	record: RecontactRecord;
}

export type RecipientState = 'claimed' | 'sent' | 'failed' | 'skipped' | 'uncertain' | 'paused';

/** Delivery statuses from status webhooks (STATUS_RANK in merge-rules.ts orders them) */
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';

/** One campaign recipient as the store records it: state, owner, answer and statuses. */
export interface RecipientRecord {
	campaignId: string;
	recipientId: string;
	businessNumberId?: string;
	/** The contact this recipient is (default: recipientId) */
	contactId: string;
	state: RecipientState;
	/** Times claimed (1 for a first claim; reclaims add one) */
	attempts: number;
	owner?: string;
	claimedAt: number;
	updatedAt: number;
	wamid?: string;
	/** Meta error code of a failed send or failed status */
	code?: number;
	reason?: string;
	/** When the send was accepted (state sent) */
	sentAt?: number;
	/** Highest delivery status seen (never regresses) */
	status?: DeliveryStatus;
	/** First time each status was seen */
	statusTimes: Partial<Record<DeliveryStatus, number>>;
	/** Error code of a `failed` status */
	statusCode?: number;
	/** First inbound from the contact after sentAt */
	repliedAt?: number;
}

/** A recipient to claim for a campaign. */
export interface RecipientClaimInput {
	recipientId: string;
	/** Default: recipientId */
	contactId?: string;
}

/** Who claims, and which earlier states may be claimed again. */
export interface ClaimOptions {
	businessNumberId?: string;
	/** Who claims (worker / execution ID); recordResult can require it */
	owner?: string;
	at?: number;
	/**
	 * When an existing recipient may be claimed again (default: never):
	 * `states` lists reclaimable states (e.g. ['paused'] to resume, ['uncertain'] for at-least-once);
	 * `claimedBefore` reclaims 'claimed' recipients whose claim is older (a crashed worker's lease).
	 */
	reclaim?: { states?: RecipientState[]; claimedBefore?: number };
}

/** Whether a claim won, and the recipient's record after it. */
export interface ClaimResult {
	recipientId: string;
	won: boolean;
	record: RecipientRecord;
}

/** A send's result to record for a claimed recipient. */
export interface ResultInput {
	recipientId: string;
	state: Exclude<RecipientState, 'claimed'>;
	at?: number;
	wamid?: string;
	code?: number;
	reason?: string;
	/** When given, the result is only recorded if this owner holds the claim */
	owner?: string;
}

/** A delivery status from a status webhook. */
export interface StatusInput {
	/** The message ID the status is about (statuses[].id) */
	wamid: string;
	status: DeliveryStatus;
	at: number;
	/** From biz_opaque_callback_data (lib/webhook/callback-data.ts); else the wamid finds the recipient */
	campaignId?: string;
	recipientId?: string;
	errorCode?: number;
	errorTitle?: string;
}

/** What a status changed: a recipient matched, its status moved forward, an uncertain send settled. */
export interface StatusResult {
	/** A campaign recipient was found for the status */
	matched: boolean;
	/** The recipient's highest status moved forward */
	advanced: boolean;
	/** An 'uncertain' or 'claimed' recipient became 'sent' or 'failed' */
	settled: boolean;
	record?: RecipientRecord;
}

/** Which recipients to list, a page at a time. */
export interface ListOptions {
	states?: RecipientState[];
	/** Return recipients after this recipient ID (the previous page's `next`) */
	after?: string;
	/** Default 1000 */
	limit?: number;
}

/** One page of recipients and where the next starts. */
export interface RecipientPage {
	recipients: RecipientRecord[];
	/** Pass as `after` for the next page; undefined on the last page */
	next?: string;
}

/** One time bucket of a campaign's timeline. */
export interface FunnelBucket {
	/** Bucket start, epoch ms */
	from: number;
	sent: number;
	delivered: number;
	read: number;
	replied: number;
	failed: number;
}

/** A campaign as the store has it: states, funnel, failures by code, timeline (the Report operation). */
export interface StoredCampaignSummary {
	campaignId: string;
	total: number;
	states: Record<RecipientState, number>;
	/** Recipients that reached each step (read implies delivered implies sent) */
	funnel: { sent: number; delivered: number; read: number; replied: number; failed: number };
	/** Failed sends and failed statuses by Meta error code ('unknown' without one) */
	failedByCode: Record<string, number>;
	firstAt?: number;
	lastAt?: number;
	/** Counts of first-time events per time bucket, for a chart of the funnel over time */
	timeline: FunnelBucket[];
}

/** What both backends implement, held to one contract suite (test/store/store.contract.ts). */
export interface ConversationStore {
	readonly backend: 'sqlite' | 'redis';

	// ---------------------------------------------------------------- contacts

	/**
	 * Records an inbound message. Monotonic: the last inbound time, message ID and channel only move forward;
	 * the profile name follows the newest message; a referral newer than the last starts a new free-entry-point
	 * cycle. A first inbound after the contact's last campaign send marks that recipient as replied.
	 * Throws a TypeError when neither waId nor userId is given.
	 */
	recordInbound(input: InboundInput): Promise<InboundResult>;

	/** Several inbounds (a batched webhook) in one transaction / pipeline; results in input order. */
	recordInbounds(inputs: InboundInput[]): Promise<InboundResult[]>;

	/**
	 * Records a business message to the contact (any send the API accepted). Only the first one at or after the
	 * last referral is kept: it is what opens the free entry point.
	 */
	recordBusinessReply(businessNumberId: string, contactId: string, at?: number): Promise<void>;

	/** One contact by wa_id or user_id, or undefined when the store has never seen it. */
	getContact(businessNumberId: string, contactId: string): Promise<ContactState | undefined>;

	/**
	 * Many contacts in one round trip (SQLite: chunked IN queries in one read transaction; Redis: pipelines).
	 * The map is keyed by the IDs as given (a user_id finds its wa_id record); unknown IDs are absent.
	 */
	getContacts(
		businessNumberId: string,
		contactIds: readonly string[],
	): Promise<Map<string, ContactState>>;

	/**
	 * Like getContacts, reading only identity and window facts: what Check Conversation Window needs for a list
	 * of 100,000 contacts, at a fraction of the cost of full records.
	 */
	getWindowFacts(
		businessNumberId: string,
		contactIds: readonly string[],
	): Promise<Map<string, ContactWindowFacts>>;

	/**
	 * Opt-out or opt-in. Applied only when not older than the current opt state (a reordered webhook cannot
	 * undo a newer change; at equal times opt-out wins). Creates the contact if needed.
	 */
	setOptState(
		businessNumberId: string,
		contactId: string,
		input: OptInput,
	): Promise<{ applied: boolean; contact: ContactState }>;

	/** 131049: hold marketing templates to this contact until `until` (the later hold wins). */
	markMarketingHold(businessNumberId: string, contactId: string, until: number): Promise<void>;

	// ---------------------------------------------------------------- recontact once per query (seed 002)

	/**
	 * Spends the one recontact for (contact, query). Atomic: of concurrent claimers exactly one gets `won: true`;
	 * the others get the winner's record.
	 */
	claimRecontact(
		businessNumberId: string,
		contactId: string,
		queryId: string,
		options?: { at?: number; ref?: string },
	): Promise<RecontactClaim>;

	getRecontact(
		businessNumberId: string,
		contactId: string,
		queryId: string,
	): Promise<RecontactRecord | undefined>;

	/** Many (contact, query) pairs at once; keyed by `${contactId}\n${queryId}` (recontactKey()). */
	getRecontacts(
		businessNumberId: string,
		pairs: ReadonlyArray<{ contactId: string; queryId: string }>,
	): Promise<Map<string, RecontactRecord>>;

	/**
	 * Gives the recontact back when the send definitively failed before reaching Meta (validation, network
	 * error before the request was sent), so it is not burnt. Only the claim holding `token` can release it.
	 */
	releaseRecontact(
		businessNumberId: string,
		contactId: string,
		queryId: string,
		token: string,
	): Promise<boolean>;

	// ---------------------------------------------------------------- webhook deduplication

	/**
	 * Marks webhook event keys as seen for `ttlSeconds` (default 7 days). Returns, per key in order, true when it
	 * was new (first sight, or its previous mark expired). Atomic per key; a key repeated in one call is new once.
	 */
	markSeen(keys: readonly string[], ttlSeconds?: number): Promise<boolean[]>;

	/**
	 * Undoes markSeen for these keys: their events could not be recorded, so the webhook is refused and Meta's
	 * retry of it must be processed, not dropped as a duplicate.
	 */
	forgetSeen(keys: readonly string[]): Promise<void>;

	// ---------------------------------------------------------------- campaigns (issue 7)

	/** Claims one recipient; see claimRecipients. */
	claimRecipient(
		campaignId: string,
		recipient: RecipientClaimInput,
		options?: ClaimOptions,
	): Promise<ClaimResult>;

	/**
	 * Claims recipients atomically, each one for exactly one claimer across executions, processes and workers.
	 * An existing recipient is not claimed again unless `options.reclaim` allows it. A recipient ID repeated in
	 * one call is won at most once (duplicate input rows). Results in input order.
	 */
	claimRecipients(
		campaignId: string,
		recipients: readonly RecipientClaimInput[],
		options?: ClaimOptions,
	): Promise<ClaimResult[]>;

	/**
	 * Records the outcome of a send. With state 'sent' it also becomes the contact's last campaign send (for
	 * "replied"). Returns the record, or undefined when the recipient was never claimed or `owner` does not match.
	 */
	recordResult(campaignId: string, result: ResultInput): Promise<RecipientRecord | undefined>;

	/** Several results in one transaction / pipeline; in input order. */
	recordResults(
		campaignId: string,
		results: readonly ResultInput[],
	): Promise<Array<RecipientRecord | undefined>>;

	/**
	 * Records a delivery status from a webhook. Finds the recipient by campaign + recipient (callback data) or
	 * by wamid. Statuses never regress (an old `delivered` after `read` changes nothing but its first-seen time);
	 * an 'uncertain' or 'claimed' recipient is settled as 'sent' (or 'failed' with the status's error code).
	 */
	recordStatus(input: StatusInput): Promise<StatusResult>;

	/**
	 * Several statuses (one webhook POST's) in one transaction / pipeline, applied in input order, so a `sent`
	 * and a `delivered` for the same message in one POST end as `delivered`. Results in input order.
	 */
	recordStatuses(inputs: readonly StatusInput[]): Promise<StatusResult[]>;

	getRecipient(campaignId: string, recipientId: string): Promise<RecipientRecord | undefined>;

	getRecipients(
		campaignId: string,
		recipientIds: readonly string[],
	): Promise<Map<string, RecipientRecord>>;

	findRecipientByWamid(wamid: string): Promise<RecipientRecord | undefined>;

	/** A page of a campaign's recipients in recipient ID order. */
	listRecipients(campaignId: string, options?: ListOptions): Promise<RecipientPage>;

	/** Counts by state, the funnel (sent → delivered → read → replied, failed by code) and its timeline. */
	summariseCampaign(
		campaignId: string,
		options?: { bucketMs?: number },
	): Promise<StoredCampaignSummary>;

	/** Removes a campaign's recipients (and their wamid index); returns how many. */
	deleteCampaign(campaignId: string): Promise<number>;

	// ---------------------------------------------------------------- frequency cap

	/** Records a marketing template sent to a contact; `ref` (wamid, or campaign:recipient) makes it idempotent. */
	recordMarketingSend(
		businessNumberId: string,
		contactId: string,
		ref: string,
		at?: number,
	): Promise<void>;

	/** Marketing sends per contact since `since` (across campaigns), for a frequency cap; absent IDs have 0. */
	countMarketingSince(
		businessNumberId: string,
		contactIds: readonly string[],
		since: number,
	): Promise<Map<string, number>>;

	/**
	 * Releases the connection / file handle. The stores handed out by nodes/common/store.ts are shared: do not
	 * close those.
	 */
	close(): Promise<void>;
}

/** An injectable clock for a store. */
export interface StoreClock {
	/** Epoch milliseconds (tests inject a fake clock) */
	now?: () => number;
}

export const DEFAULT_SEEN_TTL_SECONDS = 7 * 24 * 3600;
/** Marketing-send history kept for the frequency cap */
export const MARKETING_RETENTION_MS = 90 * 24 * 3600 * 1000;

/** The key of a recontact: the contact and the query. */
export function recontactKey(contactId: string, queryId: string): string {
	return `${contactId}\n${queryId}`;
}
