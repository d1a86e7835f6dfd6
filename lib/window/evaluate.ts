/**
 * Evaluates the messaging window of one contact at one instant, from the facts the store (or a CRM field) holds.
 * Pure and cheap (millisecond arithmetic on a pre-resolved rule), because a campaign checks 100,000 contacts.
 *
 * The window is open while `now < lastInbound + serviceWindow`: 23:59:59 after the last message is open,
 * exactly 24:00:00 is closed.
 */
import { DateTime } from 'luxon';

import { resolveRule, type Channel, type ResolvedRule, type WindowLengths } from './channel-rules';

/** What the evaluation needs to know about a contact; the store's ContactState has these fields. Times in epoch ms. */
export interface WindowFacts {
	lastInboundAt?: number | null;
	/** Last inbound that carried a `referral` (Click-to-WhatsApp ad, Page call-to-action) */
	referralAt?: number | null;
	/** The business's first message after that referral inbound */
	firstReplyAfterReferralAt?: number | null;
}

export type WindowAction =
	| 'send_free_form'
	| 'send_template'
	| 'send_with_human_agent_tag'
	| 'wait_for_user';

/** A contact's window: open or closed, until when, and what may be sent. */
export interface WindowResult {
	channel: Channel;
	state: 'open' | 'closed';
	/** ISO 8601 (UTC) or null when the contact never wrote */
	lastInboundAt: string | null;
	/** When the customer-service window closes (closed) */
	expiresAt: string | null;
	/** Whole seconds until expiresAt; 0 when closed */
	remainingSeconds: number;
	/** End of the free entry point window that the first reply to a referral opened (WhatsApp), or null */
	freeEntryPointUntil: string | null;
	freeEntryPointActive: boolean;
	/** Until when a human agent may still answer with the HUMAN_AGENT tag (Messenger, Instagram), or null */
	humanAgentUntil: string | null;
	canSendFreeForm: boolean;
	canSendWithHumanAgentTag: boolean;
	/** A template is required to reach the contact now (WhatsApp, window closed) */
	needsTemplate: boolean;
	/** The channel has templates at all (false on Messenger / Instagram: closed means wait) */
	templatesAllowed: boolean;
	/** What a workflow should do now */
	action: WindowAction;
	checkedAt: string;
}

/** The channel and window-length overrides of an evaluation. */
export interface EvaluateOptions {
	channel?: Channel;
	lengths?: WindowLengths;
	/** A rule resolved once with resolveRule(), to skip the resolution per contact */
	rule?: ResolvedRule;
}

/** Epoch milliseconds as an ISO string. */
export function iso(millis: number): string {
	return new Date(millis).toISOString();
}

/** The check time is the same for every contact of a run: format it once. */
let lastCheckedAt = Number.NaN;
let lastCheckedIso = '';
function checkedIso(at: number): string {
	if (at !== lastCheckedAt) {
		lastCheckedIso = iso(at);
		lastCheckedAt = at;
	}
	return lastCheckedIso;
}

/** A time as epoch milliseconds. */
export function toMillis(now: number | Date | DateTime): number {
	if (typeof now === 'number') return now;
	if (DateTime.isDateTime(now)) return now.toMillis();
	return now.getTime();
}

/** A contact's window at a time, from its facts and the channel's rule. */
export function evaluateWindow(
	facts: WindowFacts,
	now: number | Date | DateTime,
	options: EvaluateOptions = {},
): WindowResult {
	const rule = options.rule ?? resolveRule(options.channel ?? 'whatsapp', options.lengths);
	return evaluateFacts(
		facts.lastInboundAt ?? undefined,
		facts.referralAt ?? undefined,
		facts.firstReplyAfterReferralAt ?? undefined,
		toMillis(now),
		rule,
	);
}

/** evaluateWindow on plain values (no facts object per contact in bulk checks). */
export function evaluateFacts(
	last: number | undefined,
	referral: number | undefined,
	reply: number | undefined,
	at: number,
	rule: ResolvedRule,
): WindowResult {
	const expires = last === undefined ? undefined : last + rule.serviceWindowMs;
	const open = expires !== undefined && at < expires;

	let freeEntryPointUntil: number | undefined;
	if (rule.freeEntryPointMs !== undefined && rule.referralReplyMs !== undefined) {
		if (
			referral !== undefined &&
			reply !== undefined &&
			reply >= referral &&
			reply - referral <= rule.referralReplyMs
		) {
			freeEntryPointUntil = reply + rule.freeEntryPointMs;
		}
	}
	const freeEntryPointActive = freeEntryPointUntil !== undefined && at < freeEntryPointUntil;

	const humanAgentUntil =
		last !== undefined && rule.humanAgentMs !== undefined ? last + rule.humanAgentMs : undefined;
	const canSendWithHumanAgentTag = !open && humanAgentUntil !== undefined && at < humanAgentUntil;

	let action: WindowAction;
	if (open) action = 'send_free_form';
	else if (rule.templates) action = 'send_template';
	else if (canSendWithHumanAgentTag) action = 'send_with_human_agent_tag';
	else action = 'wait_for_user';

	return {
		channel: rule.channel,
		state: open ? 'open' : 'closed',
		lastInboundAt: last === undefined ? null : iso(last),
		expiresAt: expires === undefined ? null : iso(expires),
		remainingSeconds: open ? Math.floor((expires - at) / 1000) : 0,
		freeEntryPointUntil: freeEntryPointUntil === undefined ? null : iso(freeEntryPointUntil),
		freeEntryPointActive,
		humanAgentUntil: humanAgentUntil === undefined ? null : iso(humanAgentUntil),
		canSendFreeForm: open,
		canSendWithHumanAgentTag,
		needsTemplate: !open && rule.templates,
		templatesAllowed: rule.templates,
		action,
		checkedAt: checkedIso(at),
	};
}
