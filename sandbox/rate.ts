/**
 * Token buckets for Meta's two send limits: the number's throughput (130429) and the pair rate per
 * recipient (131056). Time is passed in, so the rules stay testable and cost one Date.now() per send.
 */
export class TokenBucket {
	private tokens: number;
	private last: number;

	constructor(
		private capacity: number,
		private perSecond: number,
		now: number,
	) {
		this.tokens = capacity;
		this.last = now;
	}

	/** Takes one token; false when none is left. */
	take(now: number): boolean {
		if (now > this.last) {
			this.tokens = Math.min(
				this.capacity,
				this.tokens + ((now - this.last) * this.perSecond) / 1000,
			);
			this.last = now;
		}
		if (this.tokens < 1) return false;
		this.tokens -= 1;
		return true;
	}

	/** Full again, as at start */
	refill(now: number): void {
		this.tokens = this.capacity;
		this.last = now;
	}

	reconfigure(capacity: number, perSecond: number): void {
		this.capacity = capacity;
		this.perSecond = perSecond;
		this.tokens = Math.min(this.tokens, capacity);
	}
}

/** One bucket per recipient, created full on first use; idle full buckets are dropped to bound memory. */
export class PairRateLimiter {
	private readonly buckets = new Map<string, TokenBucket>();

	constructor(private config: { burst: number; perSecond: number }) {}

	take(waId: string, now: number): boolean {
		let bucket = this.buckets.get(waId);
		if (!bucket) {
			if (this.buckets.size >= 500_000) this.buckets.clear();
			bucket = new TokenBucket(this.config.burst, this.config.perSecond, now);
			this.buckets.set(waId, bucket);
		}
		return bucket.take(now);
	}

	reconfigure(config: { burst: number; perSecond: number }): void {
		this.config = config;
		for (const bucket of this.buckets.values()) bucket.reconfigure(config.burst, config.perSecond);
	}

	clear(): void {
		this.buckets.clear();
	}
}
