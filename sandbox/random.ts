/** Seeded randomness, so a fault rate or a latency distribution replays the same way for a given seed. */
import type { LatencySpec } from './options';

export type Random = () => number;

/** mulberry32: tiny, fast, good enough for simulation (not for secrets). */
export function seededRandom(seed: number): Random {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** z-score of the 99th percentile of a standard normal distribution */
const Z99 = 2.3263478740408408;

/** One delay in milliseconds drawn from the spec. */
export function sampleLatency(spec: LatencySpec, random: Random): number {
	if ('medianMs' in spec) {
		if (spec.medianMs <= 0) return 0;
		const sigma = Math.log(Math.max(spec.p99Ms, spec.medianMs) / spec.medianMs) / Z99;
		// Box-Muller; 1 - random() avoids log(0)
		const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
		const value = spec.medianMs * Math.exp(sigma * normal);
		return spec.maxMs === undefined ? value : Math.min(value, spec.maxMs);
	}
	return spec.minMs + (spec.maxMs - spec.minMs) * random();
}

export function shuffle<T>(items: T[], random: Random): T[] {
	for (let i = items.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[items[i], items[j]] = [items[j], items[i]];
	}
	return items;
}
