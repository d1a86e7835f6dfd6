/**
 * What can be set when the sandbox starts (SandboxOptions), what can change at run time (SandboxSettings,
 * SandboxFaults), their defaults, and the checks that name the wrong field.
 */
import type { MessageTemplate } from '../lib/cloud-api/types';

/** Uniform between minMs and maxMs, or log-normal given a median and a 99th percentile (capped at maxMs). */
export type LatencySpec =
	| { minMs: number; maxMs: number }
	| { medianMs: number; p99Ms: number; maxMs?: number };

export interface WebhookRetryPolicy {
	/** Attempts per delivery, the first included (Meta keeps trying for days; tests want a few) */
	maxAttempts: number;
	initialDelayMs: number;
	/** Delay multiplier between attempts */
	factor: number;
}

/** Misbehaviour to rehearse against; all off by default. */
export interface SandboxFaults {
	/** Delay before every API answer, simulated with timers */
	latency: LatencySpec | null;
	/** Share (0..1) of API requests answered 500 (131000) or 503 (code 2) before any processing */
	errorRate5xx: number;
	/** Share (0..1) of API requests never answered, until the client gives up (a timeout) */
	hangRate: number;
	/**
	 * 130429 regardless of the token bucket: for the next `count` sends, and/or during `durationMs`
	 * out of every `everyMs` (the burst starts when the fault is set).
	 */
	burst130429: { count?: number; everyMs?: number; durationMs?: number } | null;
	/**
	 * The next `count` media uploads (POST /media) are refused with `code`: 131000 (HTTP 500, transient) by default,
	 * or 131053 (media upload error, HTTP 400). `count` goes down as uploads are refused.
	 */
	uploadFailures: { count: number; code?: 131000 | 131053 } | null;
	/** Share (0..1) of webhook POSTs delivered twice */
	duplicateWebhookRate: number;
	/** Status webhooks of a message arrive in a shuffled order, and each POST's changes are shuffled */
	reorderWebhooks: boolean;
	/** Extra delay before every webhook delivery */
	webhookDelayMs: number;
	/** What the sandbox does when the receiver answers non-2xx or cannot be reached */
	webhookRetry: WebhookRetryPolicy;
}

/** Behaviour that is not a fault but can be changed at run time (control.configure). */
export interface SandboxSettings {
	/** Messages per second the number accepts before 130429 (Meta: 80, or 1,000 once upgraded). Values above 1,000 are for load tests. */
	throughputMps: number;
	/** Pair rate per recipient (131056): a burst, then a sustained rate. Meta: 45, then 1 every 6 s. */
	pairRate: { burst: number; perSecond: number };
	qualityRating: 'GREEN' | 'YELLOW' | 'RED' | 'NA';
	messagingLimitTier:
		| 'TIER_250'
		| 'TIER_1K'
		| 'TIER_2K'
		| 'TIER_10K'
		| 'TIER_100K'
		| 'TIER_UNLIMITED';
	/** Gap between accepted → sent → delivered → read status webhooks */
	statusDelayMs: number;
	/** Share (0..1) of delivered messages the recipient reads */
	readRate: number;
	/**
	 * How 131047, 131026 and 131050 are reported: 'error' answers the send with Meta's error body (what the
	 * rules list), 'status' accepts the send and reports a `failed` status webhook (what Meta often does).
	 */
	undeliverableAs: 'error' | 'status';
	/**
	 * Most changes in one webhook POST. Default 1: Meta usually sends one change (one status, one message) per
	 * POST; it may batch up to 1,000 updates in one POST, so receivers must handle both.
	 */
	webhookBatchSize: number;
	/** Webhook POSTs in flight at once */
	webhookConcurrency: number;
	/** A webhook POST with no answer after this long counts as failed */
	webhookTimeoutMs: number;
	/** How long a created template stays PENDING before the review decides (APPROVED, or REJECTED by the rule in template-review.ts) */
	templateReviewMs: number;
}

export interface SandboxOptions {
	/** 0 (default) picks a free port */
	port?: number;
	host?: string;
	/** Bearer token the Graph API paths accept (default 'sandbox-token') */
	accessToken?: string;
	/** D360-API-KEY the 360dialog paths accept (default 'sandbox-d360-key') */
	d360ApiKey?: string;
	phoneNumberId?: string;
	wabaId?: string;
	/** The business number, shown as Meta shows it (default '+54 11 4000 1000') */
	displayPhoneNumber?: string;
	verifiedName?: string;
	/** Key of the X-Hub-Signature-256 HMAC on webhooks (default 'sandbox-app-secret') */
	appSecret?: string;
	/** App id reported by subscribed_apps */
	appId?: string;
	/** Where webhooks go (the app's callback URL); none = webhooks are simulated but not posted */
	webhookUrl?: string;
	/** Templates, or the path of a JSON file with them (default sandbox/catalogue.json) */
	catalogue?: MessageTemplate[] | string;
	throughputMps?: number;
	pairRate?: SandboxSettings['pairRate'];
	qualityRating?: SandboxSettings['qualityRating'];
	messagingLimitTier?: SandboxSettings['messagingLimitTier'];
	latency?: LatencySpec;
	statusDelayMs?: number;
	readRate?: number;
	undeliverableAs?: SandboxSettings['undeliverableAs'];
	/** Changes per webhook POST (default 1, Meta's usual shape; up to 1,000 to rehearse Meta's batches) */
	webhookBatchSize?: number;
	/** Webhook POSTs in flight at once (default 4) */
	webhookConcurrency?: number;
	/** How long a new template stays PENDING before review (ms) */
	templateReviewMs?: number;
	faults?: Partial<SandboxFaults>;
	/** Seed of the sandbox's random choices (fault rates, latency), for reproducible runs */
	seed?: number;
}

export const DEFAULTS = {
	host: '127.0.0.1',
	accessToken: 'sandbox-token',
	d360ApiKey: 'sandbox-d360-key',
	phoneNumberId: '1000000001',
	wabaId: '2000000001',
	displayPhoneNumber: '+54 11 4000 1000',
	verifiedName: 'SaludCenter (Sandbox)',
	appSecret: 'sandbox-app-secret',
	appId: '3000000001',
} as const;

export function defaultSettings(): SandboxSettings {
	return {
		throughputMps: 80,
		pairRate: { burst: 45, perSecond: 1 / 6 },
		qualityRating: 'GREEN',
		messagingLimitTier: 'TIER_UNLIMITED',
		statusDelayMs: 100,
		readRate: 1,
		undeliverableAs: 'error',
		webhookBatchSize: 1,
		webhookConcurrency: 4,
		webhookTimeoutMs: 10_000,
		templateReviewMs: 2_000,
	};
}

export function defaultFaults(): SandboxFaults {
	return {
		latency: null,
		errorRate5xx: 0,
		hangRate: 0,
		burst130429: null,
		uploadFailures: null,
		duplicateWebhookRate: 0,
		reorderWebhooks: false,
		webhookDelayMs: 0,
		webhookRetry: { maxAttempts: 5, initialDelayMs: 500, factor: 2 },
	};
}

function rate(value: unknown, field: string): void {
	if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
		throw new Error(
			`${field} must be a number from 0 to 1 (a share of requests), got ${JSON.stringify(value)}`,
		);
	}
}

function nonNegative(value: unknown, field: string): void {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
		throw new Error(`${field} must be a number of 0 or more, got ${JSON.stringify(value)}`);
	}
}

function positive(value: unknown, field: string): void {
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		throw new Error(`${field} must be a number above 0, got ${JSON.stringify(value)}`);
	}
}

export function checkLatency(spec: unknown, field: string): void {
	if (spec === null) return;
	const value = spec as Record<string, unknown>;
	if (typeof value !== 'object')
		throw new Error(`${field} must be {minMs, maxMs} or {medianMs, p99Ms}`);
	if ('medianMs' in value) {
		nonNegative(value.medianMs, `${field}.medianMs`);
		nonNegative(value.p99Ms, `${field}.p99Ms`);
		if ((value.p99Ms as number) < (value.medianMs as number))
			throw new Error(`${field}.p99Ms must be ≥ medianMs`);
		if (value.maxMs !== undefined) nonNegative(value.maxMs, `${field}.maxMs`);
		return;
	}
	nonNegative(value.minMs, `${field}.minMs`);
	nonNegative(value.maxMs, `${field}.maxMs`);
	if ((value.maxMs as number) < (value.minMs as number))
		throw new Error(`${field}.maxMs must be ≥ minMs`);
}

const FAULT_KEYS = Object.keys(defaultFaults());
const SETTING_KEYS = Object.keys(defaultSettings());

/** Merges a partial fault set after checking it; unknown keys are refused so typos do not pass silently. */
export function mergeFaults(current: SandboxFaults, patch: Partial<SandboxFaults>): SandboxFaults {
	for (const key of Object.keys(patch)) {
		if (!FAULT_KEYS.includes(key))
			throw new Error(`faults: unknown fault "${key}"; known: ${FAULT_KEYS.join(', ')}`);
	}
	const next: SandboxFaults = { ...current, ...patch } as SandboxFaults;
	if (patch.webhookRetry) next.webhookRetry = { ...current.webhookRetry, ...patch.webhookRetry };
	checkLatency(next.latency, 'faults.latency');
	rate(next.errorRate5xx, 'faults.errorRate5xx');
	rate(next.hangRate, 'faults.hangRate');
	rate(next.duplicateWebhookRate, 'faults.duplicateWebhookRate');
	if (typeof next.reorderWebhooks !== 'boolean')
		throw new Error('faults.reorderWebhooks must be true or false');
	nonNegative(next.webhookDelayMs, 'faults.webhookDelayMs');
	positive(next.webhookRetry.maxAttempts, 'faults.webhookRetry.maxAttempts');
	nonNegative(next.webhookRetry.initialDelayMs, 'faults.webhookRetry.initialDelayMs');
	positive(next.webhookRetry.factor, 'faults.webhookRetry.factor');
	if (next.uploadFailures !== null && next.uploadFailures !== undefined) {
		const failures = next.uploadFailures;
		if (typeof failures !== 'object' || !Number.isInteger(failures.count) || failures.count < 0)
			throw new Error('faults.uploadFailures must be {count, code?} with a whole count, or null');
		if (failures.code !== undefined && failures.code !== 131000 && failures.code !== 131053)
			throw new Error('faults.uploadFailures.code must be 131000 or 131053');
		next.uploadFailures = { ...failures };
	} else next.uploadFailures = null;
	if (next.burst130429 !== null) {
		const burst = next.burst130429;
		if (typeof burst !== 'object')
			throw new Error('faults.burst130429 must be {count} or {everyMs, durationMs} or null');
		if (burst.count !== undefined) nonNegative(burst.count, 'faults.burst130429.count');
		if (burst.durationMs !== undefined)
			nonNegative(burst.durationMs, 'faults.burst130429.durationMs');
		if (burst.everyMs !== undefined) positive(burst.everyMs, 'faults.burst130429.everyMs');
		if (burst.count === undefined && burst.durationMs === undefined) {
			throw new Error(
				'faults.burst130429 needs count (next N sends) or durationMs (with optional everyMs)',
			);
		}
	}
	return next;
}

export function mergeSettings(
	current: SandboxSettings,
	patch: Partial<SandboxSettings>,
): SandboxSettings {
	for (const key of Object.keys(patch)) {
		if (!SETTING_KEYS.includes(key))
			throw new Error(`settings: unknown setting "${key}"; known: ${SETTING_KEYS.join(', ')}`);
	}
	const next: SandboxSettings = { ...current, ...patch } as SandboxSettings;
	if (patch.pairRate) next.pairRate = { ...current.pairRate, ...patch.pairRate };
	positive(next.throughputMps, 'throughputMps');
	positive(next.pairRate.burst, 'pairRate.burst');
	positive(next.pairRate.perSecond, 'pairRate.perSecond');
	if (!['GREEN', 'YELLOW', 'RED', 'NA'].includes(next.qualityRating)) {
		throw new Error('qualityRating must be GREEN, YELLOW, RED or NA');
	}
	if (
		!['TIER_250', 'TIER_1K', 'TIER_2K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED'].includes(
			next.messagingLimitTier,
		)
	) {
		throw new Error(
			'messagingLimitTier must be TIER_250, TIER_1K, TIER_2K, TIER_10K, TIER_100K or TIER_UNLIMITED',
		);
	}
	nonNegative(next.statusDelayMs, 'statusDelayMs');
	rate(next.readRate, 'readRate');
	if (next.undeliverableAs !== 'error' && next.undeliverableAs !== 'status') {
		throw new Error(
			"undeliverableAs must be 'error' (answer the send) or 'status' (failed status webhook)",
		);
	}
	positive(next.webhookBatchSize, 'webhookBatchSize');
	positive(next.webhookConcurrency, 'webhookConcurrency');
	positive(next.webhookTimeoutMs, 'webhookTimeoutMs');
	nonNegative(next.templateReviewMs, 'templateReviewMs');
	return next;
}

/** Settings from the start options, on top of the defaults. */
export function settingsFromOptions(options: SandboxOptions): SandboxSettings {
	const patch: Partial<SandboxSettings> = {};
	if (options.throughputMps !== undefined) patch.throughputMps = options.throughputMps;
	if (options.templateReviewMs !== undefined) patch.templateReviewMs = options.templateReviewMs;
	if (options.pairRate !== undefined) patch.pairRate = options.pairRate;
	if (options.qualityRating !== undefined) patch.qualityRating = options.qualityRating;
	if (options.messagingLimitTier !== undefined)
		patch.messagingLimitTier = options.messagingLimitTier;
	if (options.statusDelayMs !== undefined) patch.statusDelayMs = options.statusDelayMs;
	if (options.readRate !== undefined) patch.readRate = options.readRate;
	if (options.undeliverableAs !== undefined) patch.undeliverableAs = options.undeliverableAs;
	if (options.webhookBatchSize !== undefined) patch.webhookBatchSize = options.webhookBatchSize;
	if (options.webhookConcurrency !== undefined)
		patch.webhookConcurrency = options.webhookConcurrency;
	return mergeSettings(defaultSettings(), patch);
}

export function faultsFromOptions(options: SandboxOptions): SandboxFaults {
	const patch: Partial<SandboxFaults> = { ...options.faults };
	if (options.latency !== undefined) patch.latency = options.latency;
	return mergeFaults(defaultFaults(), patch);
}
