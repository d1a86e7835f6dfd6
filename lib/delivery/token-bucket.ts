/**
 * A token bucket: `burst` tokens at most, refilled continuously at the rate given to each `take` (the rate
 * may change between calls: AIMD). Taking never blocks; it says how long until the next token instead.
 */
export class TokenBucket {
	private tokens: number;
	private updatedAt: number;

	constructor(
		readonly burst: number,
		now: number,
	) {
		if (!(burst >= 1)) throw new Error(`Token bucket burst must be at least 1 (got ${burst})`);
		this.tokens = burst;
		this.updatedAt = now;
	}

	take(want: number, ratePerSecond: number, now: number): { granted: number; waitMs: number } {
		if (now > this.updatedAt) {
			this.tokens = Math.min(
				this.burst,
				this.tokens + ((now - this.updatedAt) * ratePerSecond) / 1000,
			);
			this.updatedAt = now;
		}
		// 1e-9 absorbs float error so that exactly one interval's refill yields a whole token.
		const granted = Math.max(0, Math.min(want, Math.floor(this.tokens + 1e-9)));
		this.tokens -= granted;
		const waitMs =
			granted < want ? Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / ratePerSecond)) : 0;
		return { granted, waitMs };
	}
}

/**
 * Default burst: 50 ms worth of the cap (4 at 80 mps, 50 at 1,000 mps), enough to absorb timer jitter, too small
 * to trip 130429.
 */
export const defaultBurst = (cap: number): number => Math.max(1, Math.round(cap / 20));

/**
 * Burst of the one-process limiter (LocalRateLimiter): a quarter second of the cap (20 at 80 mps, 250 at
 * 1,000 mps). Inside n8n the sender shares its thread with the trigger and n8n itself: a batch of status
 * webhooks recorded there stalls it for 100–200 ms, and with 50 ms of burst that time is lost (89.6 % of an
 * 80 mps cap measured in n8n). A quarter second makes it up; any one second then holds at most 1.25× the cap
 * (only right after a stall), well inside Meta's per-second throughput counted as a one-second bucket (the
 * sandbox's model), and AIMD backs off on any 130429. The Redis limiter, shared by workers, keeps 50 ms.
 */
export const catchUpBurst = (cap: number): number => Math.max(1, Math.round(cap / 4));
