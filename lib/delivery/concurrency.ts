/**
 * How many requests may be in flight: by Little's law, inflight = rate × latency. We size it from the p90 of
 * recent latencies with 20 % headroom, so 1,000 mps at 100 ms keeps ~120 requests open, and bound it so hung
 * requests cannot pile up without limit (they then slow the campaign rather than flood the process).
 */

/** Bounds and headroom of the requests kept in flight. */
export interface InFlightOptions {
	maxInFlight: number;
	minInFlight: number;
	headroom: number;
	/** Which latency quantile to size for. */
	quantile: number;
	/** Assumed latency before enough samples were measured. */
	initialLatencyMs: number;
	/** Ring buffer size of recent latencies. */
	samples: number;
}

export const defaultInFlightOptions: InFlightOptions = {
	maxInFlight: 500,
	minInFlight: 4,
	headroom: 1.2,
	quantile: 0.9,
	initialLatencyMs: 250,
	samples: 256,
};

/** Requests to keep in flight to hold a rate at a latency (with headroom, clamped to the bounds). */
export function inFlightFor(
	ratePerSecond: number,
	latencyMs: number,
	options: InFlightOptions = defaultInFlightOptions,
): number {
	const wanted = Math.ceil(((ratePerSecond * latencyMs) / 1000) * options.headroom);
	return Math.min(options.maxInFlight, Math.max(options.minInFlight, wanted));
}

/** Recent request latencies in a fixed ring; the quantile is recomputed every 32 samples, not per request. */
export class LatencyWindow {
	private readonly ring: Float64Array;
	private count = 0;
	private sinceComputed = 0;
	private cached: number;

	constructor(private readonly options: InFlightOptions = defaultInFlightOptions) {
		this.ring = new Float64Array(options.samples);
		this.cached = options.initialLatencyMs;
	}

	record(latencyMs: number): void {
		this.ring[this.count % this.ring.length] = latencyMs;
		this.count++;
		// Recompute early while few samples exist, so the first estimate replaces the assumption quickly.
		if (++this.sinceComputed >= 32 || this.count === 8) this.compute();
	}

	/** The configured quantile of recent latencies (the initial assumption until 8 samples exist). */
	get latencyMs(): number {
		return this.cached;
	}

	limit(ratePerSecond: number): number {
		return inFlightFor(ratePerSecond, this.cached, this.options);
	}

	private compute(): void {
		this.sinceComputed = 0;
		const size = Math.min(this.count, this.ring.length);
		if (size < 8) return;
		const sorted = this.ring.slice(0, size).sort();
		this.cached = sorted[Math.min(size - 1, Math.floor(size * this.options.quantile))];
	}
}
