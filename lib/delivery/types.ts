/**
 * The shapes the campaign runner works with. The runner knows nothing about the conversation store or the
 * template builder: the Bulk Campaign node prepares the jobs (rendered payloads) and wires `DeliveryHooks` to
 * the store, so this folder stays framework-free and testable on its own.
 */

/** One recipient of a campaign, already rendered. `key` is what the store claims (e.g. the wa_id / E.164 number). */
export interface Job<P = unknown> {
	key: string;
	payload: P;
	/** Caller's reference copied to the result untouched (e.g. the input item index for pairedItem). */
	ref?: number | string;
}

/** Meta accepted the message. */
export interface SendAccepted {
	ok: true;
	wamid: string;
	messageStatus?: string;
}

/**
 * The request failed. `code` is Meta's error code (absent when no JSON error came back), `httpStatus` the HTTP
 * status (absent when no response came back at all). `timedOut` means no answer after the request may have been
 * written (timeout, connection reset mid-request): Meta may have accepted it, so it is never resent blindly.
 * A failure with neither `code`, `httpStatus` nor `timedOut` means the request never left (DNS, connection refused).
 */
export interface SendFailed {
	ok: false;
	code?: number;
	httpStatus?: number;
	details?: string;
	timedOut?: boolean;
}

export type SendResult = SendAccepted | SendFailed;

/** The transport. It must not throw on HTTP errors; a throw is treated like a timeout (outcome unknown). */
export type SendFunction<P> = (payload: P, signal: AbortSignal) => Promise<SendResult>;

export type ClaimDecision = { claimed: true } | { claimed: false; reason: string; code?: number };

/**
 * What the runner needs from the store, bound to one campaign by the caller.
 * - `claim` atomically marks the recipient as taken by this campaign (insert-if-absent). `claimed: false`
 *   (already sent, duplicate row, in progress elsewhere) makes the job `skipped` with that reason.
 * - `settle` is called exactly once for every claimed job, with its terminal result. For `paused` the store must
 *   make the recipient claimable again (resumable); for `uncertain` it keeps it pending until a status webhook
 *   (or the "at least once" quiet period) decides.
 */
export interface DeliveryHooks {
	claim(key: string): ClaimDecision | Promise<ClaimDecision>;
	settle(result: JobResult): void | Promise<void>;
}

export type Outcome = 'sent' | 'failed' | 'skipped' | 'uncertain' | 'paused';

/** A job's terminal result: its outcome, attempts and Meta's answer. */
export interface JobResult {
	key: string;
	ref?: number | string;
	outcome: Outcome;
	/** Sends made for this job (0 for skipped, and for paused jobs never tried). */
	attempts: number;
	/** Meta error code of the final failure, or the code that paused the campaign. */
	code?: number;
	httpStatus?: number;
	/** One line a user can act on. */
	reason?: string;
	/** Meta's error details, when it gave some. */
	details?: string;
	wamid?: string;
	messageStatus?: string;
	/** ISO time before which this recipient must not be sent to again (131049: at least 24 h). */
	notBefore?: string;
}

export type OutcomeCounts = Record<Outcome, number>;

/** Counts that start at zero, one object per run. */
export const noCounts = (): OutcomeCounts => ({
	sent: 0,
	failed: 0,
	skipped: 0,
	uncertain: 0,
	paused: 0,
});

export type StopReason = 'completed' | 'paused' | 'aborted' | 'error';

/** A delivery run's totals and why it stopped. */
export interface DeliverySummary {
	counts: OutcomeCounts;
	/** Final Meta codes of failed / uncertain / paused / skipped results, e.g. { "131026": 3 }. */
	byCode: Record<string, number>;
	/** HTTP requests made, retries included. */
	requests: number;
	durationMs: number;
	/** Sent messages per second over the whole run. */
	achievedRate: number;
	stoppedBy: StopReason;
	/** Why the campaign paused (template paused, quality RED...) or which hook failed. */
	stopDetail?: string;
}

/** What onProgress is told while a delivery run sends. */
export interface DeliveryProgress {
	counts: OutcomeCounts;
	/** Recipients without a result yet, when the total is known. */
	remaining?: number;
	inFlight: number;
	/** Jobs waiting for a retry (backoff, 4^n s pair-rate wait, maintenance pause). */
	retrying: number;
	/** Allowed rate right now (after AIMD), messages/s. */
	rate: number;
	/** Sent messages per second since the previous report. */
	achievedRate: number;
	/** Estimated time to finish, from the recent rate, when the total is known. */
	etaMs?: number;
	elapsedMs: number;
}

/**
 * Time source: injected so tests run in virtual time. `sleep` resolves early (never rejects) when the signal
 * aborts.
 */
export interface Clock {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
	/**
	 * Calls `fire` after `ms` unless the returned cancel is called first. The runner's per-request timeout and
	 * its wake-ups use this, not an aborted sleep: AbortController.abort() builds a DOMException and dispatches
	 * an event, ~5 % of n8n's main thread at 1,000 msg/s.
	 */
	timer(ms: number, fire: () => void): () => void;
}

/** What a limiter gave: tokens now, or how long to wait for the next. */
export interface TokenGrant {
	/** Tokens taken now (0..want). */
	granted: number;
	/** When granted < want: milliseconds until the next token. */
	waitMs: number;
	/** The allowed rate at this moment, messages/s. */
	rate: number;
	/** The limiter's time of the grant (ms; Redis TIME for the global bucket): lets tests check the cap exactly. */
	at: number;
}

/**
 * Paces sends for one phone number. `take` never waits: callers sleep `waitMs` themselves, so a limiter keeps
 * no queue of waiting promises. `throttled` reports a 130429 (multiplicative decrease, shared by all users of
 * the same bucket); `setCap` changes the ceiling at run time (e.g. after reading the number's throughput).
 */
export interface RateLimiter {
	take(want: number): Promise<TokenGrant>;
	throttled(): Promise<number>;
	setCap(messagesPerSecond: number): void;
	readonly cap: number;
}
