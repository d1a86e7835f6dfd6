/**
 * DeliveryHooks on the conversation store, for one campaign run: atomic claims, a fence before each request,
 * and results written back — each through group commit (one transaction / pipeline per batch).
 *
 * Recipient states in the store and what a later run does with them:
 * - claimed:   taken by a run, no request sent yet. A claim older than `staleClaimMs` belongs to a stopped run
 *              and is taken over (safe: nothing was sent for it).
 * - uncertain: written just before the request leaves (the fence, `markSending`), so a run killed mid-request
 *              leaves a recipient that may have received the message. A status webhook settles it (recordStatus).
 *              At most once: never resent. At least once: resent when no webhook settled it within the quiet
 *              period after the request.
 * - sent / failed: done (failed is retried only with `retryFailed`). paused: not sent, claimed again on rerun.
 * The fence is also what makes a takeover safe: `markSending` only succeeds for the claim's owner, so a run
 * whose claim was taken over does not send.
 */
import type { ClaimDecision, DeliveryHooks, JobResult } from '../delivery';
import type {
	ClaimOptions,
	ClaimResult,
	ConversationStore,
	RecipientRecord,
	RecipientState,
	ResultInput,
} from '../store/types';
import { GroupCommit } from './group-commit';
import {
	MARKETING_OPT_OUT_CODE,
	isMarketingHoldCode,
	marketingHoldUntil,
	marketingOptOut,
} from '../contact-policy';
import { skipReasons, type SkipReason } from './sending-rules';

export type DeliveryGuarantee = 'at-most-once' | 'at-least-once';

/** Code of the failure `send` reports when the fence refused the request (the claim was taken over). */
export const TAKEN_OVER_CODE = -1;

/** The store, campaign and run identity the delivery hooks claim, fence and settle with. */
export interface StoreHooksOptions {
	store: ConversationStore;
	campaignId: string;
	businessNumberId: string;
	/** This run's identity: claims carry it, results and fences require it */
	owner: string;
	guarantee: DeliveryGuarantee;
	quietPeriodMs: number;
	staleClaimMs: number;
	/** Claim recipients whose earlier send failed, to try them again */
	retryFailed?: boolean;
	/** The template is MARKETING: sends count towards the frequency cap */
	marketing: boolean;
	now?: () => number;
}

/** Why a claim was refused, for the recipient's output item. */
export interface Refusal {
	reason: SkipReason;
	message: string;
	state: RecipientState;
	code?: number;
	wamid?: string;
	/** at-least-once: when this uncertain recipient may be resent */
	resendAt?: number;
}

const iso = (ms: number | undefined) =>
	ms === undefined ? 'an earlier run' : new Date(ms).toISOString();

/**
 * The delivery runner's hooks on the conversation store: claims (with stale-lease takeover), the pre-send
 * fence, and results written in group commits.
 */
export class StoreDeliveryHooks implements DeliveryHooks {
	/** Refusals by recipient key, read (and deleted) by the run when it records the skipped result */
	readonly refusals = new Map<string, Refusal>();
	/** Contacts whose first business message after an ad click opens the free entry point (recordBusinessReply) */
	readonly referralContacts = new Set<string>();

	private readonly now: () => number;
	private readonly claims: GroupCommit<string, ClaimDecision>;
	/** Fences and results share one batch: both are recordResults, so one transaction writes both kinds. */
	private readonly writes: GroupCommit<{ fence: string } | { result: JobResult }, boolean>;

	constructor(private readonly options: StoreHooksOptions) {
		this.now = options.now ?? Date.now;
		this.claims = new GroupCommit((keys) => this.claimBatch(keys));
		this.writes = new GroupCommit((items) => this.writeBatch(items));
	}

	claim(key: string): Promise<ClaimDecision> {
		return this.claims.add(key);
	}

	/** Just before the request: true when this run still owns the claim (the recipient is now 'uncertain'). */
	markSending(key: string): Promise<boolean> {
		return this.writes.add({ fence: key });
	}

	async settle(result: JobResult): Promise<void> {
		await this.writes.add({ result });
	}

	private claimOptions(at: number, extra: RecipientState[] = []): ClaimOptions {
		const states: RecipientState[] = [
			'paused',
			...(this.options.retryFailed ? (['failed'] as RecipientState[]) : []),
			...extra,
		];
		return {
			businessNumberId: this.options.businessNumberId,
			owner: this.options.owner,
			at,
			reclaim: { states, claimedBefore: at - this.options.staleClaimMs },
		};
	}

	private async claimBatch(keys: string[]): Promise<ClaimDecision[]> {
		const { store, campaignId } = this.options;
		const at = this.now();
		const input = (list: string[]) => list.map((recipientId) => ({ recipientId }));
		if (this.options.guarantee === 'at-most-once') {
			const results = await store.claimRecipients(campaignId, input(keys), this.claimOptions(at));
			return results.map((result) => this.decision(result, at));
		}
		// at-least-once: uncertain recipients are claimed again once their quiet period is over. Read first, and
		// only offer those for reclaim: a recipient that turns uncertain meanwhile (another run's request just left)
		// is then not taken.
		const before = await store.getRecipients(campaignId, keys);
		const quietBefore = at - this.options.quietPeriodMs;
		const stale: string[] = [];
		const rest: string[] = [];
		for (const key of keys) {
			const record = before.get(key);
			if (record?.state === 'uncertain' && record.updatedAt <= quietBefore) stale.push(key);
			else rest.push(key);
		}
		const byKey = new Map<string, ClaimDecision>();
		if (rest.length > 0) {
			const results = await store.claimRecipients(campaignId, input(rest), this.claimOptions(at));
			for (const result of results) byKey.set(result.recipientId, this.decision(result, at));
		}
		if (stale.length > 0) {
			const results = await store.claimRecipients(
				campaignId,
				input(stale),
				this.claimOptions(at, ['uncertain']),
			);
			const lost: string[] = [];
			for (const result of results) {
				// Exactly one claim since our read, or another run reclaimed it in between (and may have sent it).
				if (
					result.won &&
					result.record.attempts !== (before.get(result.recipientId)?.attempts ?? 0) + 1
				)
					lost.push(result.recipientId);
				byKey.set(result.recipientId, this.decision(result, at));
			}
			if (lost.length > 0) {
				await store.recordResults(
					campaignId,
					lost.map((recipientId) => ({
						recipientId,
						state: 'uncertain',
						owner: this.options.owner,
					})),
				);
				for (const key of lost) {
					this.refusals.set(key, {
						reason: skipReasons.inProgress,
						state: 'uncertain',
						message:
							'Another execution resent this recipient at the same moment: left to it and to the status webhook',
					});
					byKey.set(key, { claimed: false, reason: 'Taken by another execution' });
				}
			}
		}
		return keys.map((key) => byKey.get(key) as ClaimDecision);
	}

	private decision(result: ClaimResult, at: number): ClaimDecision {
		if (result.won) return { claimed: true };
		const refusal = this.refusalFor(result.record, at);
		this.refusals.set(result.recipientId, refusal);
		return { claimed: false, reason: refusal.message, code: refusal.code };
	}

	private refusalFor(record: RecipientRecord, at: number): Refusal {
		const state = record.state;
		switch (state) {
			case 'sent':
				return {
					reason: skipReasons.alreadySent,
					state,
					wamid: record.wamid,
					message: `Already sent in this campaign on ${iso(record.sentAt)}${record.wamid ? ` (${record.wamid})` : ''}`,
				};
			case 'failed':
			case 'skipped':
				return {
					reason: skipReasons.alreadyFailed,
					state,
					code: record.code,
					message: `Already ${state} in an earlier run${record.code !== undefined ? ` (code ${record.code})` : ''}${record.reason ? `: ${record.reason}` : ''}. Turn on "Retry Failed Recipients" to try again`,
				};
			case 'uncertain': {
				if (this.options.guarantee === 'at-least-once') {
					const resendAt = record.updatedAt + this.options.quietPeriodMs;
					return {
						reason: skipReasons.awaitingStatus,
						state,
						resendAt,
						message: `A request left on ${iso(record.updatedAt)} and no result is recorded yet (no answer, or another execution is sending it): resent at ${iso(resendAt)} unless a status webhook confirms it first`,
					};
				}
				return {
					reason: skipReasons.awaitingStatus,
					state,
					message: `A request left on ${iso(record.updatedAt)} and no result is recorded yet (no answer, or another execution is sending it): not resent (delivery guarantee "at most once"); its status webhook settles it`,
				};
			}
			default: {
				const takeover = record.claimedAt + this.options.staleClaimMs;
				return {
					reason: skipReasons.inProgress,
					state,
					message: `Being sent by another execution (claimed ${iso(record.claimedAt)}); if that execution stopped, run again after ${iso(Math.max(takeover, at))}`,
				};
			}
		}
	}

	private async writeBatch(
		items: Array<{ fence: string } | { result: JobResult }>,
	): Promise<boolean[]> {
		const { store, campaignId, owner } = this.options;
		const writes: ResultInput[] = [];
		/** Position of each item's write, or -1 when it writes nothing */
		const position: number[] = [];
		const results: JobResult[] = [];
		for (const item of items) {
			if ('fence' in item) {
				position.push(writes.length);
				writes.push({ recipientId: item.fence, state: 'uncertain', owner });
				continue;
			}
			const result = item.result;
			results.push(result);
			// Taken over: the record is another run's. Uncertain: the fence already wrote it, and a status webhook
			// may have settled it since; writing 'uncertain' again could undo that.
			if (
				result.code === TAKEN_OVER_CODE ||
				result.outcome === 'uncertain' ||
				result.outcome === 'skipped'
			) {
				position.push(-1);
				continue;
			}
			position.push(writes.length);
			writes.push({
				recipientId: result.key,
				state: result.outcome,
				wamid: result.wamid,
				code: result.code,
				reason: result.reason,
				owner,
			});
		}
		const records = writes.length > 0 ? await store.recordResults(campaignId, writes) : [];
		await this.effects(results);
		// A fence holds when the record was written, i.e. this run still owns the claim.
		return position.map((at) => at >= 0 && records[at] !== undefined);
	}

	/** What a result means beyond the recipient: frequency cap, free entry point, 131049 hold, 131050 opt-out. */
	private async effects(results: JobResult[]): Promise<void> {
		const { store, campaignId, businessNumberId } = this.options;
		const effects: Array<Promise<unknown>> = [];
		const at = this.now();
		for (const result of results) {
			if (result.outcome === 'sent') {
				if (this.options.marketing)
					effects.push(
						store.recordMarketingSend(
							businessNumberId,
							result.key,
							`${campaignId}:${result.key}`,
							at,
						),
					);
				if (this.referralContacts.has(result.key))
					effects.push(store.recordBusinessReply(businessNumberId, result.key, at));
			} else if (result.outcome === 'failed' && isMarketingHoldCode(result.code)) {
				const until = result.notBefore ? Date.parse(result.notBefore) : marketingHoldUntil(at);
				effects.push(store.markMarketingHold(businessNumberId, result.key, until));
			} else if (result.outcome === 'failed' && result.code === MARKETING_OPT_OUT_CODE) {
				effects.push(store.setOptState(businessNumberId, result.key, marketingOptOut(at)));
			}
		}
		await Promise.all(effects);
	}
}
