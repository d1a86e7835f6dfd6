/** Delivery core: pacing, retries and the runner that sends jobs through them (no n8n, store or templates). */
export * from './types';
export {
	runDeliveries,
	type DeliveryOptions,
	type DeliveryReport,
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
