/**
 * Whether the store's facts about a contact forbid a template now — shared by Send HSM Template and Bulk Campaign,
 * so that both skip the same contacts for the same reasons:
 * - opted out (keyword, button, user_preferences, 131050): every template, or marketing only for a marketing opt-out;
 * - 131049 hold (Meta's per-user marketing limit): no marketing until the hold ends.
 * Authentication templates (one-time codes the user asked for) are never held back.
 */
import { describeError } from './cloud-api/errors';
import type { TemplateCategory } from './cloud-api/types';
import type { ContactState, OptInput } from './store/types';

/** Stable reasons: workflows route on them. */
export const contactSkipReasons = {
	optedOut: 'opted_out',
	marketingHold: 'marketing_hold_131049',
} as const;

/** Why a contact must not get a template now, with Meta's code and the time it may resume. */
export interface ContactSkip {
	reason: (typeof contactSkipReasons)[keyof typeof contactSkipReasons];
	/** Meta's code behind the skip (131050, 131049) */
	code?: number;
	/** ISO time before which marketing must not be sent (131049) */
	notBefore?: string;
	message: string;
}

/** Meta's code for "held for this user's health" (per-user marketing limit): no marketing to them for a while. */
export const MARKETING_HOLD_CODE = 131049;
/** Meta's code for "the user stopped marketing messages": a marketing opt-out. */
export const MARKETING_OPT_OUT_CODE = 131050;

/** Whether a send's or a status webhook's error code holds marketing to the contact (131049). */
export function isMarketingHoldCode(code: number | undefined): boolean {
	return code === MARKETING_HOLD_CODE;
}

/** 131049: when marketing to this contact may resume, from the time Meta held a message. */
export function marketingHoldUntil(heldAt: number): number {
	return heldAt + (describeError(MARKETING_HOLD_CODE).waitMs ?? 0);
}

/** 131050 on a send: the user stopped marketing messages — recorded as a marketing opt-out. */
export function marketingOptOut(at: number): OptInput {
	return { optedOut: true, at, reason: 'error-131050', scope: 'marketing' };
}

/**
 * Whether a contact must not get a template of this category now (opt-out, 131049 hold); authentication
 * templates always go.
 */
export function contactSkip(
	contact: Pick<ContactState, 'optOut' | 'marketingHoldUntil'> | undefined,
	category: TemplateCategory,
	options: { sendToOptedOut?: boolean; now: number },
): ContactSkip | undefined {
	if (!contact || category === 'AUTHENTICATION') return undefined;
	const marketing = category === 'MARKETING';
	const optOut = contact.optOut;
	if (!options.sendToOptedOut && optOut?.optedOut && (optOut.scope === 'all' || marketing)) {
		return {
			reason: contactSkipReasons.optedOut,
			code: optOut.reason === 'error-131050' ? MARKETING_OPT_OUT_CODE : undefined,
			message: `The contact opted out${optOut.scope === 'marketing' ? ' of marketing' : ''} on ${new Date(optOut.at).toISOString()} (${optOut.reason}${optOut.detail ? `: ${optOut.detail}` : ''})`,
		};
	}
	if (
		marketing &&
		contact.marketingHoldUntil !== undefined &&
		contact.marketingHoldUntil > options.now
	) {
		const until = new Date(contact.marketingHoldUntil).toISOString();
		return {
			reason: contactSkipReasons.marketingHold,
			code: MARKETING_HOLD_CODE,
			notBefore: until,
			message: `Meta held a marketing message to this contact (131049, per-user marketing limit): no marketing before ${until}`,
		};
	}
	return undefined;
}
