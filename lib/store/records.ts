/**
 * Record <-> storage row mapping shared by both backends: SQLite columns and Redis hash fields have the same
 * names, so one mapping reads both (Redis values arrive as strings, SQLite ones as numbers).
 */
import type { SQLInputValue } from 'node:sqlite';

import { isChannel } from '../window/channel-rules';
import type {
	ContactState,
	ContactWindowFacts,
	DeliveryStatus,
	OptReason,
	OptScope,
	RecipientRecord,
	RecipientState,
} from './types';

export type Row = Record<string, SQLInputValue>;

/** Redis hashes omit absent fields, SQLite returns NULL: both mean "not set". */
const present = (value: SQLInputValue | undefined): boolean =>
	value !== null && value !== undefined;

/** A stored number, or undefined when not set. */
export const num = (value: SQLInputValue): number | undefined =>
	value === null || value === undefined ? undefined : Number(value);
/** undefined → NULL for a SQL parameter. */
export const orNull = (value: string | number | undefined): string | number | null =>
	value === undefined ? null : value;

/** A stored contact row (SQLite columns or Redis hash) → ContactState. */
export function rowToContact(row: Row): ContactState {
	const contact: ContactState = {
		businessNumberId: String(row.business),
		contactId: String(row.contact),
		updatedAt: Number(row.updated_at),
	};
	if (present(row.wa_id)) contact.waId = String(row.wa_id);
	if (present(row.user_id)) contact.userId = String(row.user_id);
	if (present(row.profile_name)) contact.profileName = String(row.profile_name);
	if (present(row.channel) && isChannel(row.channel)) contact.channel = row.channel;
	if (present(row.last_inbound_at)) contact.lastInboundAt = Number(row.last_inbound_at);
	if (present(row.last_inbound_id)) contact.lastInboundMessageId = String(row.last_inbound_id);
	if (present(row.referral_at)) contact.referralAt = Number(row.referral_at);
	if (present(row.referral_source)) contact.referralSource = String(row.referral_source);
	if (present(row.fep_reply_at)) contact.firstReplyAfterReferralAt = Number(row.fep_reply_at);
	if (present(row.opt_at)) {
		contact.optOut = {
			optedOut: Number(row.opted_out) === 1,
			at: Number(row.opt_at),
			reason: String(row.opt_reason) as OptReason,
			scope: String(row.opt_scope) as OptScope,
		};
		if (present(row.opt_detail)) contact.optOut.detail = String(row.opt_detail);
	}
	if (present(row.marketing_hold_until))
		contact.marketingHoldUntil = Number(row.marketing_hold_until);
	if (present(row.lc_campaign)) {
		contact.lastCampaign = {
			campaignId: String(row.lc_campaign),
			recipientId: String(row.lc_recipient),
			sentAt: Number(row.lc_sent_at),
		};
	}
	return contact;
}

/** A ContactState → the SQLite parameters of its row. */
export function contactToParams(
	contact: ContactState,
	profileNameAt: number | undefined,
): SQLInputValue[] {
	return [
		contact.businessNumberId,
		contact.contactId,
		orNull(contact.waId),
		orNull(contact.userId),
		orNull(contact.profileName),
		orNull(profileNameAt),
		orNull(contact.channel),
		orNull(contact.lastInboundAt),
		orNull(contact.lastInboundMessageId),
		orNull(contact.referralAt),
		orNull(contact.referralSource),
		orNull(contact.firstReplyAfterReferralAt),
		contact.optOut ? (contact.optOut.optedOut ? 1 : 0) : null,
		orNull(contact.optOut?.at),
		orNull(contact.optOut?.reason),
		orNull(contact.optOut?.scope),
		orNull(contact.optOut?.detail),
		orNull(contact.marketingHoldUntil),
		orNull(contact.lastCampaign?.campaignId),
		orNull(contact.lastCampaign?.recipientId),
		orNull(contact.lastCampaign?.sentAt),
		contact.updatedAt,
	];
}

export const CONTACT_COLUMNS =
	'business, contact, wa_id, user_id, profile_name, profile_name_at, channel, last_inbound_at, last_inbound_id, referral_at, referral_source, fep_reply_at, opted_out, opt_at, opt_reason, opt_scope, opt_detail, marketing_hold_until, lc_campaign, lc_recipient, lc_sent_at, updated_at';

/** The hash fields the Redis getWindowFacts reads (HMGET), in the order redisWindowFacts expects them. */
export const WINDOW_FIELDS = [
	'contact',
	'wa_id',
	'user_id',
	'profile_name',
	'channel',
	'last_inbound_at',
	'referral_at',
	'fep_reply_at',
];

/** The Redis fields of getWindowFacts → a contact's window facts. */
export function redisWindowFacts(
	business: string,
	values: ReadonlyArray<string | null>,
): ContactWindowFacts {
	const facts: ContactWindowFacts = { businessNumberId: business, contactId: String(values[0]) };
	if (present(values[1])) facts.waId = String(values[1]);
	if (present(values[2])) facts.userId = String(values[2]);
	if (present(values[3])) facts.profileName = String(values[3]);
	if (present(values[4]) && isChannel(values[4])) facts.channel = values[4];
	if (present(values[5])) facts.lastInboundAt = Number(values[5]);
	if (present(values[6])) facts.referralAt = Number(values[6]);
	if (present(values[7])) facts.firstReplyAfterReferralAt = Number(values[7]);
	return facts;
}

/**
 * The SQLite columns of getWindowFacts, in the order sqliteWindowFacts expects them. A record keyed by a wa_id
 * has wa_id = contact, so a flag replaces the second copy of the string (100,000 fewer strings per check).
 */
export const SQLITE_WINDOW_COLUMNS =
	'contact, wa_id IS NOT NULL, user_id, profile_name, channel, last_inbound_at, referral_at, fep_reply_at';

/** A SQLite row of SQLITE_WINDOW_COLUMNS → a contact's window facts. */
export function sqliteWindowFacts(
	business: string,
	row: ReadonlyArray<SQLInputValue>,
): ContactWindowFacts {
	const contactId = String(row[0]);
	// One literal with every field (absent ones undefined): one object shape for all rows, which V8 builds fastest.
	return {
		businessNumberId: business,
		contactId,
		waId: Number(row[1]) === 1 ? contactId : undefined,
		userId: row[2] === null ? undefined : String(row[2]),
		profileName: row[3] === null ? undefined : String(row[3]),
		channel: row[4] !== null && isChannel(row[4]) ? row[4] : undefined,
		lastInboundAt: row[5] === null ? undefined : Number(row[5]),
		referralAt: row[6] === null ? undefined : Number(row[6]),
		firstReplyAfterReferralAt: row[7] === null ? undefined : Number(row[7]),
	};
}

/** A stored recipient row → RecipientRecord. */
export function rowToRecipient(row: Row): RecipientRecord {
	// Straight-line on purpose: the trigger runs this for every status webhook (thousands per second at 1,000 msg/s).
	const record: RecipientRecord = {
		campaignId: String(row.campaign),
		recipientId: String(row.recipient),
		contactId: String(row.contact),
		state: String(row.state) as RecipientState,
		attempts: Number(row.attempts),
		claimedAt: Number(row.claimed_at),
		updatedAt: Number(row.updated_at),
		statusTimes: {},
	};
	if (present(row.business)) record.businessNumberId = String(row.business);
	if (present(row.owner)) record.owner = String(row.owner);
	if (present(row.wamid)) record.wamid = String(row.wamid);
	if (present(row.code)) record.code = Number(row.code);
	if (present(row.reason)) record.reason = String(row.reason);
	if (present(row.sent_at)) record.sentAt = Number(row.sent_at);
	if (present(row.status)) record.status = String(row.status) as DeliveryStatus;
	if (present(row.status_code)) record.statusCode = Number(row.status_code);
	if (present(row.replied_at)) record.repliedAt = Number(row.replied_at);
	const times = record.statusTimes;
	if (present(row.st_sent)) times.sent = Number(row.st_sent);
	if (present(row.st_delivered)) times.delivered = Number(row.st_delivered);
	if (present(row.st_read)) times.read = Number(row.st_read);
	if (present(row.st_played)) times.played = Number(row.st_played);
	if (present(row.st_failed)) times.failed = Number(row.st_failed);
	return record;
}

/** A RecipientRecord → the SQLite parameters of its row. */
export function recipientParams(record: RecipientRecord): SQLInputValue[] {
	return [
		orNull(record.businessNumberId),
		record.contactId,
		record.state,
		record.attempts,
		orNull(record.owner),
		record.claimedAt,
		record.updatedAt,
		orNull(record.wamid),
		orNull(record.code),
		orNull(record.reason),
		orNull(record.sentAt),
		orNull(record.status),
		orNull(record.statusTimes.sent),
		orNull(record.statusTimes.delivered),
		orNull(record.statusTimes.read),
		orNull(record.statusTimes.played),
		orNull(record.statusTimes.failed),
		orNull(record.statusCode),
		orNull(record.repliedAt),
		record.campaignId,
		record.recipientId,
	];
}
