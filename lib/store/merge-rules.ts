/**
 * The store's merge rules as pure functions: how an inbound, an opt change, a business reply or a delivery
 * status changes a record. The SQLite backend applies them inside a write transaction; the Redis backend's Lua
 * scripts (redis-scripts.ts) implement the same rules, and the shared contract suite holds both to them.
 */
import type {
	ContactState,
	DeliveryStatus,
	InboundInput,
	OptInput,
	OptState,
	RecipientRecord,
	RecipientState,
	StatusInput,
} from './types';

/** Status order: a status only replaces a lower one. A `failed` after `sent` counts; after `delivered` it does not. */
export const STATUS_RANK: Readonly<Record<DeliveryStatus, number>> = {
	sent: 10,
	failed: 15,
	delivered: 20,
	read: 30,
	played: 40,
};

export const DELIVERY_STATUSES = Object.keys(STATUS_RANK) as DeliveryStatus[];

export const RECIPIENT_STATES: readonly RecipientState[] = [
	'claimed',
	'sent',
	'failed',
	'skipped',
	'uncertain',
	'paused',
];

/** States a delivery status settles: the send's outcome was unknown until Meta reported on the message. */
export const SETTLEABLE_STATES: readonly RecipientState[] = ['uncertain', 'claimed'];

/** Whether a value is one of the delivery statuses the store ranks. */
export function isDeliveryStatus(value: unknown): value is DeliveryStatus {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(STATUS_RANK, value);
}

/** A referral as one string, `source_type:source_id`, or undefined. */
export function referralSource(referral: InboundInput['referral']): string | undefined {
	if (!referral || referral === true) return undefined;
	const parts = [referral.sourceType, referral.sourceId].filter(
		(part) => typeof part === 'string' && part !== '',
	);
	return parts.length > 0 ? parts.join(':') : undefined;
}

/** Applies an inbound message to a contact (monotonic); returns whether the last inbound moved forward. */
export function applyInbound(
	contact: ContactState,
	input: InboundInput,
	profileNameAt: number | undefined,
): { advanced: boolean; profileNameAt?: number } {
	const advanced = contact.lastInboundAt === undefined || input.at > contact.lastInboundAt;
	if (advanced) {
		contact.lastInboundAt = input.at;
		contact.lastInboundMessageId = input.messageId;
		contact.channel = input.channel ?? contact.channel ?? 'whatsapp';
	}
	if (input.waId) contact.waId = input.waId;
	if (input.userId) contact.userId = input.userId;
	let nameAt = profileNameAt;
	if (input.profileName && (nameAt === undefined || input.at >= nameAt)) {
		contact.profileName = input.profileName;
		nameAt = input.at;
	}
	if (input.referral && (contact.referralAt === undefined || input.at > contact.referralAt)) {
		contact.referralAt = input.at;
		contact.referralSource = referralSource(input.referral);
		contact.firstReplyAfterReferralAt = undefined;
	}
	return { advanced, profileNameAt: nameAt };
}

/** The first business message at or after the last referral is the one that opens the free entry point. */
export function applyBusinessReply(contact: ContactState, at: number): boolean {
	if (contact.referralAt === undefined || at < contact.referralAt) return false;
	if (contact.firstReplyAfterReferralAt !== undefined && contact.firstReplyAfterReferralAt <= at)
		return false;
	contact.firstReplyAfterReferralAt = at;
	return true;
}

/** Opt changes apply unless older than the current one; at equal times opt-out wins (the safe side). */
export function applyOpt(contact: ContactState, input: OptInput): boolean {
	const current = contact.optOut;
	if (
		current &&
		(input.at < current.at || (input.at === current.at && current.optedOut && !input.optedOut))
	)
		return false;
	const next: OptState = {
		optedOut: input.optedOut,
		at: input.at,
		reason: input.reason,
		scope: input.scope ?? 'all',
	};
	if (input.detail !== undefined) next.detail = input.detail;
	contact.optOut = next;
	return true;
}

/** A time that is set and later than the other (or the other is not set). */
const isLater = (time: number | undefined, than: number | undefined): time is number =>
	time !== undefined && (than === undefined || time > than);

/** Folds a contact known only by user_id into its wa_id record: every fact keeps its newest (or first) value. */
export function mergeContact(
	into: ContactState,
	from: ContactState,
	intoNameAt?: number,
	fromNameAt?: number,
): number | undefined {
	if (isLater(from.lastInboundAt, into.lastInboundAt)) {
		into.lastInboundAt = from.lastInboundAt;
		into.lastInboundMessageId = from.lastInboundMessageId;
		into.channel = from.channel;
	}
	let nameAt = intoNameAt;
	if (
		from.profileName &&
		(into.profileName === undefined || (fromNameAt ?? 0) > (intoNameAt ?? 0))
	) {
		into.profileName = from.profileName;
		nameAt = fromNameAt;
	}
	if (isLater(from.referralAt, into.referralAt)) {
		into.referralAt = from.referralAt;
		into.referralSource = from.referralSource;
		into.firstReplyAfterReferralAt = from.firstReplyAfterReferralAt;
	}
	if (from.optOut) applyOpt(into, from.optOut);
	if (isLater(from.marketingHoldUntil, into.marketingHoldUntil)) {
		into.marketingHoldUntil = from.marketingHoldUntil;
	}
	if (
		from.lastCampaign &&
		(!into.lastCampaign || from.lastCampaign.sentAt > into.lastCampaign.sentAt)
	)
		into.lastCampaign = from.lastCampaign;
	into.userId = into.userId ?? from.userId;
	return nameAt;
}

/** Applies a delivery status to a campaign recipient. */
export function applyStatus(
	record: RecipientRecord,
	input: StatusInput,
): { advanced: boolean; settled: boolean } {
	const first = record.statusTimes[input.status];
	if (first === undefined || input.at < first) record.statusTimes[input.status] = input.at;
	const advanced =
		record.status === undefined || STATUS_RANK[input.status] > STATUS_RANK[record.status];
	if (advanced) {
		record.status = input.status;
		if (input.status === 'failed') record.statusCode = input.errorCode;
	}
	if (!record.wamid) record.wamid = input.wamid;
	let settled = false;
	if (SETTLEABLE_STATES.includes(record.state)) {
		settled = true;
		record.wamid = input.wamid;
		if (input.status === 'failed') {
			record.state = 'failed';
			record.code = input.errorCode;
			record.reason = input.errorTitle ?? 'Meta reported the message as failed';
		} else {
			record.state = 'sent';
			record.sentAt = record.sentAt ?? input.at;
		}
	}
	return { advanced, settled };
}
