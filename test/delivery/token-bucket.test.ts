import {
	catchUpBurst,
	defaultBurst,
	LocalRateLimiter,
	TokenBucket,
	VirtualClock,
} from '../../lib/delivery';
import { maxInWindow } from './helpers';

describe('TokenBucket', () => {
	it('grants at most burst + rate × window in any window, and keeps up with the rate', () => {
		const bucket = new TokenBucket(5, 0);
		const grants: number[] = [];
		let now = 0;
		while (now < 10_000) {
			const { granted, waitMs } = bucket.take(3, 50, now);
			for (let i = 0; i < granted; i++) grants.push(now);
			if (granted < 3) now += waitMs;
		}
		expect(maxInWindow(grants, 1_000)).toBeLessThanOrEqual(5 + 50);
		expect(grants.length).toBeLessThanOrEqual(5 + 50 * 10);
		expect(grants.length).toBeGreaterThanOrEqual(50 * 10 - 1);
	});

	it('says how long until the next token, at the rate given now', () => {
		const bucket = new TokenBucket(2, 0);
		expect(bucket.take(2, 100, 0)).toEqual({ granted: 2, waitMs: 0 });
		expect(bucket.take(1, 100, 0)).toEqual({ granted: 0, waitMs: 10 });
		expect(bucket.take(1, 100, 10)).toEqual({ granted: 1, waitMs: 0 });
		// Halving the rate doubles the wait.
		expect(bucket.take(1, 50, 10)).toEqual({ granted: 0, waitMs: 20 });
		// Never more than the burst, however long it was idle.
		expect(bucket.take(10, 50, 60_000).granted).toBe(2);
	});

	it('rejects a burst below one token', () => {
		expect(() => new TokenBucket(0, 0)).toThrow(/burst must be at least 1/);
	});

	it('defaults the burst to 50 ms of the cap, a quarter second for the one-process limiter', () => {
		expect(defaultBurst(80)).toBe(4);
		expect(defaultBurst(1_000)).toBe(50);
		expect(defaultBurst(5)).toBe(1);
		expect(catchUpBurst(80)).toBe(20);
		expect(catchUpBurst(1_000)).toBe(250);
		expect(catchUpBurst(2)).toBe(1);
	});
});

describe('LocalRateLimiter', () => {
	it('paces callers that sleep the returned wait at the configured rate', async () => {
		const clock = new VirtualClock();
		const limiter = new LocalRateLimiter({ ratePerSecond: 80, clock });
		const grants: number[] = [];
		const end = clock.now() + 5_000;
		while (clock.now() < end) {
			const grant = await limiter.take(1);
			if (grant.granted) grants.push(grant.at);
			else await clock.sleep(grant.waitMs);
		}
		expect(maxInWindow(grants, 1_000)).toBeLessThanOrEqual(80 + catchUpBurst(80));
		expect(grants.length).toBeGreaterThanOrEqual(80 * 5 - 1);
	});

	it('makes up the time of a sender stalled 200 ms in every second, at most 1.25× the cap in any second', async () => {
		// Inside n8n the sender shares a thread with the trigger: here it stalls 200 ms in every second.
		const clock = new VirtualClock();
		const limiter = new LocalRateLimiter({ ratePerSecond: 80, clock, aimd: false });
		const grants: number[] = [];
		const start = clock.now();
		let stalledIn = -1;
		while (clock.now() < start + 10_000) {
			const second = Math.floor((clock.now() - start) / 1000);
			if (second !== stalledIn && (clock.now() - start) % 1000 >= 500) {
				stalledIn = second;
				await clock.sleep(200);
				continue;
			}
			const grant = await limiter.take(4);
			for (let i = 0; i < grant.granted; i++) grants.push(grant.at);
			if (grant.granted < 4) await clock.sleep(grant.waitMs);
		}
		expect(maxInWindow(grants, 1_000)).toBeLessThanOrEqual(80 + catchUpBurst(80));
		expect(grants.length).toBeGreaterThanOrEqual(0.98 * 80 * 10);
		// The same stalls with a 50 ms burst and no catching up lose most of each stall.
		const plain = new TokenBucket(defaultBurst(80), start);
		let sent = 0;
		for (let t = start; t < start + 10_000; t += 1) {
			if ((t - start) % 1000 >= 500 && (t - start) % 1000 < 700) continue;
			sent += plain.take(1, 80, t).granted;
		}
		expect(sent).toBeLessThan(0.9 * 80 * 10);
	});

	it('changes its cap at run time', async () => {
		const clock = new VirtualClock();
		const limiter = new LocalRateLimiter({ ratePerSecond: 80, clock, aimd: false });
		limiter.setCap(20);
		expect(limiter.cap).toBe(20);
		expect((await limiter.take(1)).rate).toBe(20);
		expect(await limiter.throttled()).toBe(20);
		expect(() => limiter.setCap(0)).toThrow(/positive number of messages per second/);
	});
});
