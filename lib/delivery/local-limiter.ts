import {
	aimdDecrease,
	aimdOptions,
	aimdRate,
	initialAimdState,
	type AimdOptions,
	type AimdSettings,
	type AimdState,
} from './aimd';
import { systemClock } from './clock';
import { catchUpBurst, TokenBucket } from './token-bucket';
import type { Clock, RateLimiter, TokenGrant } from './types';

/** The cap, burst and AIMD of a limiter in this process. */
export interface LocalRateLimiterOptions {
	/** The cap, messages/s. */
	ratePerSecond: number;
	/** Bucket size; default a quarter second of the cap (catchUpBurst). */
	burst?: number;
	/** AIMD tuning, or false to keep the rate fixed at the cap. */
	aimd?: AimdSettings | false;
	clock?: Clock;
}

/** Token bucket + AIMD for one process (the embedded-store case: one n8n process sends the campaign). */
export class LocalRateLimiter implements RateLimiter {
	private readonly clock: Clock;
	private readonly bucket: TokenBucket;
	private readonly adaptive: boolean;
	private readonly settings: AimdSettings;
	private options: AimdOptions;
	private state: AimdState;

	constructor(options: LocalRateLimiterOptions) {
		this.clock = options.clock ?? systemClock;
		this.adaptive = options.aimd !== false;
		this.settings = options.aimd || {};
		this.options = aimdOptions(options.ratePerSecond, this.settings);
		this.state = initialAimdState(options.ratePerSecond);
		this.bucket = new TokenBucket(
			options.burst ?? catchUpBurst(options.ratePerSecond),
			this.clock.now(),
		);
	}

	get cap(): number {
		return this.options.cap;
	}

	get rate(): number {
		return aimdRate(this.state, this.clock.now(), this.options);
	}

	async take(want: number): Promise<TokenGrant> {
		const now = this.clock.now();
		const rate = aimdRate(this.state, now, this.options);
		return { ...this.bucket.take(want, rate, now), rate, at: now };
	}

	async throttled(): Promise<number> {
		const now = this.clock.now();
		if (this.adaptive) this.state = aimdDecrease(this.state, now, this.options);
		return aimdRate(this.state, now, this.options);
	}

	setCap(messagesPerSecond: number): void {
		// Defaults derived from the cap (floor, step) follow the new cap; the AIMD state is kept, so a lowered
		// rate still recovers gradually, now towards the new ceiling.
		this.options = aimdOptions(messagesPerSecond, this.settings);
	}
}
