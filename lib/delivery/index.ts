/**
 * Delivery core: pacing, retries and the campaign runner, framework-free (no n8n, no store, no templates).
 *
 * Public API
 *
 * runCampaign<P>(options: CampaignOptions<P>): Promise<CampaignReport>
 *   Streams `options.jobs` ({ key, payload, ref? }, array or (async) iterable) through
 *   hooks.claim(key) → limiter.take() → send(payload, signal) → retry or hooks.settle(result).
 *   Required: jobs, send, limiter, hooks. Optional: policy (RetryPolicy), concurrency (InFlightOptions),
 *   requestTimeoutMs (30 s; no answer → 'uncertain'), total, lookahead, claimConcurrency, onProgress +
 *   progressIntervalMs (5 s), shouldPause + pauseCheckIntervalMs (30 s; return a reason string to pause),
 *   onResult, collectResults (true), signal (AbortSignal), clock (Clock), random (jitter source).
 *   Returns { results: JobResult[] (one per job read: sent | failed | skipped | uncertain | paused, with code,
 *   reason, attempts, wamid, notBefore), summary: CampaignSummary (counts, byCode, requests, durationMs,
 *   achievedRate, stoppedBy: completed | paused | aborted | error, stopDetail) }.
 *   - hooks.settle is called exactly once per claimed job; skipped jobs (claim refused) are never settled.
 *   - Pause (132015 / 132016 / 131048 or shouldPause): claimed-unsent jobs settle as 'paused', every job left
 *     in the input is reported 'paused' without being claimed. Abort: the same for claimed jobs, but the rest of
 *     the input is left unread and unclaimed. Requests in flight always finish (bounded by requestTimeoutMs).
 *
 * Rate limiters (RateLimiter: take(want) → TokenGrant, throttled() → new rate, setCap(mps), cap)
 *   new LocalRateLimiter({ ratePerSecond, burst?, aimd?: AimdSettings | false, clock? })   one process
 *   new RedisRateLimiter({ redis, key, prefix?, ratePerSecond, burst?, aimd?, idleTtlMs?, clock? })
 *     one bucket per phone number in Redis (Lua: refill + take + AIMD atomically, Redis TIME), shared by all
 *     workers. See redis-limiter.ts for why this is not rate-limiter-flexible / bottleneck / limiter.
 *   TokenBucket (pure), defaultBurst(cap) = 50 ms of the cap.
 *
 * AIMD: aimdOptions(cap, settings?), initialAimdState(cap), aimdRate(state, now, options),
 *   aimdDecrease(state, now, options): ×0.7 on 130429 (floor, 1 s cooldown), +5 % of the cap per second after
 *   5 s without 130429.
 *
 * Concurrency: inFlightFor(rate, latencyMs, options?) = clamp(ceil(rate × latency × 1.2), min 4, max 500);
 *   LatencyWindow (p90 of the last 256 latencies), defaultInFlightOptions.
 *
 * Retry policy as data: defaultRetryPolicy, retryPolicy(overrides), ruleFor(failure, policy),
 *   reasonFor(failure), decide(failure, attempts, policy, random?) → RetryDecision.
 *   5xx / 131000 / 131016 / 2 / 4 / 80007 / network: full-jitter backoff (0.5 s base, 30 s cap, 8 attempts);
 *   130429: AIMD down and resend when paced (10 attempts); 131056: this recipient waits 4^n s (4 attempts);
 *   131057: all sending holds 2 min (5 attempts); 131049: failed, notBefore +24 h; 132069: failed, +1 h;
 *   132015 / 132016 / 131048: pause the campaign; 'fix-input' / 'stop': failed; no answer: uncertain.
 *
 * Clocks: systemClock, VirtualClock (deterministic virtual time for tests and rehearsals).
 * Types: Job, SendResult (SendAccepted | SendFailed), SendFunction, DeliveryHooks, ClaimDecision, JobResult,
 *   Outcome, CampaignSummary, CampaignProgress, Clock, RateLimiter, TokenGrant.
 */
export * from './types';
export {
	runCampaign,
	type CampaignOptions,
	type CampaignReport,
	type PauseVerdict,
} from './runner';
export { LocalRateLimiter, type LocalRateLimiterOptions } from './local-limiter';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-limiter';
export { TokenBucket, catchUpBurst, defaultBurst } from './token-bucket';
export {
	aimdOptions,
	initialAimdState,
	aimdRate,
	aimdDecrease,
	type AimdOptions,
	type AimdSettings,
	type AimdState,
} from './aimd';
export {
	inFlightFor,
	LatencyWindow,
	defaultInFlightOptions,
	type InFlightOptions,
} from './concurrency';
export {
	defaultRetryPolicy,
	retryPolicy,
	ruleFor,
	reasonFor,
	decide,
	type RetryPolicy,
	type RetryRule,
	type RetryDecision,
} from './retry-policy';
export { systemClock, VirtualClock } from './clock';
