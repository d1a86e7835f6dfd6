/**
 * The campaign's WhatsApp rules as data (docs/meta-cloud-api.md §4–§6), so a change by Meta is an edit here,
 * not in code: throughput per level, messaging-limit tiers, the qualities that pause a campaign, the US
 * marketing rule, and the defaults of the delivery guarantee.
 */

import { contactSkipReasons } from '../contact-policy';

/** `throughput.level` of GET /{phone-number-id} → messages per second (§5). */
export const throughputByLevel: Readonly<Record<string, number>> = {
	STANDARD: 80,
	HIGH: 1000,
	// Numbers shared with the WhatsApp Business app.
	COEXISTENCE: 20,
	// Meta answers NOT_APPLICABLE for numbers not yet on the Cloud API; assume the standard rate.
	NOT_APPLICABLE: 80,
};

/** When the API gives no level at all. */
export const defaultThroughputMps = 80;

/** `whatsapp_business_manager_messaging_limit` → unique users outside the 24 h window per rolling 24 h (§5). */
export const messagingLimitByTier: Readonly<Record<string, number>> = {
	TIER_50: 50,
	TIER_250: 250,
	TIER_1K: 1_000,
	TIER_2K: 2_000,
	TIER_10K: 10_000,
	TIER_100K: 100_000,
	TIER_UNLIMITED: Number.POSITIVE_INFINITY,
};

/** Quality ratings that pause a campaign: carrying on would get the number restricted. */
export const pausingQualityRatings: readonly string[] = ['RED'];

/**
 * Marketing templates to US numbers are not delivered since 2025-04-01 (§4): skipped before paying for a 131049.
 * Matched by country (the area code), not by +1 alone, which Canada and the Caribbean share.
 */
export const usMarketingRule = {
	country: 'US',
	category: 'MARKETING',
	since: '2025-04-01',
} as const;

export const campaignDefaults = {
	/** at-least-once: an uncertain send is resent only when no status webhook settled it within this period. */
	quietPeriodMs: 120_000,
	/** A claim not followed by a send within this long belongs to a stopped execution and may be taken over. */
	staleClaimMs: 60_000,
	/** Per request; no answer by then → uncertain. */
	requestTimeoutMs: 30_000,
	/** How often the number's quality rating is read while sending. */
	qualityCheckIntervalMs: 60_000,
	progressIntervalMs: 5_000,
	/** at-least-once: rounds of "wait for the quiet period, resend what is still uncertain" within one execution. */
	resendRounds: 3,
	/** Recipients read, validated and looked up in the store together (small: building a chunk blocks the event loop). */
	chunkSize: 128,
} as const;

/** Why a recipient was not sent; each reason is stable (workflows route on it). */
export const skipReasons = {
	invalid: 'invalid',
	duplicate: 'duplicate',
	optedOut: contactSkipReasons.optedOut,
	frequencyCap: 'frequency_cap',
	usMarketing: 'us_marketing',
	marketingHold: contactSkipReasons.marketingHold,
	alreadySent: 'already_sent',
	alreadyFailed: 'already_failed',
	awaitingStatus: 'awaiting_status',
	inProgress: 'in_progress',
	takenOver: 'taken_over',
	/** Outside the recipient's Send Window: not claimed, the next run (or this one, waiting) sends it */
	outsideSendWindow: 'outside_send_window',
} as const;

export type SkipReason = (typeof skipReasons)[keyof typeof skipReasons];

/** Messages per second for a `throughput.level` (the default when none or unknown). */
export function throughputFor(level: string | undefined): number {
	if (!level) return defaultThroughputMps;
	return throughputByLevel[level.toUpperCase()] ?? defaultThroughputMps;
}

/** Unique users per 24 h for a messaging-limit tier, or undefined when unknown or unlimited. */
export function messagingLimitFor(tier: string | undefined): number | undefined {
	if (!tier) return undefined;
	return messagingLimitByTier[tier.toUpperCase()];
}

/**
 * The pace of a campaign: the number's throughput level, capped by the user's setting. Without phone-number
 * information (the API call failed) the setting alone decides.
 */
export function resolveRateCap(
	setting: number | undefined,
	info: { throughput?: { level?: string } } | undefined,
): number {
	const level = throughputFor(info?.throughput?.level);
	if (setting === undefined) return level;
	return info ? Math.min(setting, level) : setting;
}
