import { defaultInFlightOptions, inFlightFor, LatencyWindow } from '../../lib/delivery';

describe("in-flight sizing (Little's law)", () => {
	it('keeps ~120 requests open at 1,000 mps and 100 ms', () => {
		expect(inFlightFor(1_000, 100)).toBe(120);
		expect(inFlightFor(80, 100)).toBe(10);
	});

	it('is bounded both ways', () => {
		expect(inFlightFor(1_000, 30_000)).toBe(defaultInFlightOptions.maxInFlight);
		expect(inFlightFor(1, 10)).toBe(defaultInFlightOptions.minInFlight);
	});

	it('sizes from the p90 of measured latencies, not the mean', () => {
		const window = new LatencyWindow();
		expect(window.latencyMs).toBe(defaultInFlightOptions.initialLatencyMs);
		for (let i = 0; i < 64; i++) window.record(i % 5 === 4 ? 400 : 100);
		expect(window.latencyMs).toBe(400);
		for (let i = 0; i < 256; i++) window.record(i % 20 === 19 ? 400 : 100);
		expect(window.latencyMs).toBe(100);
		expect(window.limit(1_000)).toBe(120);
	});
});
