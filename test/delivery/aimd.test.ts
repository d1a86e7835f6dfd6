import type Redis from 'ioredis';
import {
	aimdDecrease,
	aimdOptions,
	aimdRate,
	defaultBurst,
	initialAimdState,
	LocalRateLimiter,
	RedisRateLimiter,
	type RateLimiter,
} from '../../lib/delivery';
import { manualClock, testRedis } from './helpers';

describe('AIMD rules', () => {
	const options = aimdOptions(100);

	it('multiplies the rate down on 130429, once per cooldown, never below the floor', () => {
		let state = initialAimdState(100);
		expect(aimdRate(state, 0, options)).toBe(100);
		state = aimdDecrease(state, 0, options);
		expect(aimdRate(state, 0, options)).toBeCloseTo(70);
		// The burst of 130429s for requests already in flight does not compound.
		state = aimdDecrease(state, 999, options);
		expect(aimdRate(state, 999, options)).toBeCloseTo(70);
		state = aimdDecrease(state, 1_000, options);
		expect(aimdRate(state, 1_000, options)).toBeCloseTo(49);
		for (let t = 2_000; t < 40_000; t += 1_000) state = aimdDecrease(state, t, options);
		expect(aimdRate(state, 40_000, options)).toBe(options.floor);
	});

	it('recovers additively after a quiet period, up to the cap', () => {
		const state = aimdDecrease(initialAimdState(100), 0, options);
		expect(aimdRate(state, 4_999, options)).toBeCloseTo(70);
		expect(aimdRate(state, 5_000, options)).toBeCloseTo(75);
		expect(aimdRate(state, 6_000, options)).toBeCloseTo(80);
		expect(aimdRate(state, 10_000, options)).toBeCloseTo(100);
		expect(aimdRate(state, 60_000, options)).toBe(100);
	});

	it('names the field when a setting is wrong', () => {
		expect(() => aimdOptions(-1)).toThrow(/Rate cap/);
		expect(() => aimdOptions(10, { decreaseFactor: 1.5 })).toThrow(/decreaseFactor/);
	});
});

// The same behaviour from the in-process limiter and from the Lua script in Redis.
describe.each(['local', 'redis'])('%s limiter follows AIMD', (kind) => {
	let redis: Redis | undefined;
	beforeAll(() => {
		if (kind === 'redis') redis = testRedis();
	});
	afterAll(async () => {
		await redis?.quit();
	});

	function limiter(clock: ReturnType<typeof manualClock>, cap: number): RateLimiter {
		// The Redis limiter's burst (50 ms of the cap), so both kinds refill alike here.
		if (kind === 'local')
			return new LocalRateLimiter({ ratePerSecond: cap, clock, burst: defaultBurst(cap) });
		return new RedisRateLimiter({
			redis: redis as Redis,
			key: `aimd-${Date.now()}-${Math.random()}`,
			prefix: 'test:delivery:',
			ratePerSecond: cap,
			clock,
		});
	}

	it('goes down ×0.7 on 130429 and back up after the quiet period', async () => {
		const clock = manualClock();
		const bucket = limiter(clock, 100);
		expect((await bucket.take(1)).rate).toBe(100);
		expect(await bucket.throttled()).toBeCloseTo(70);
		clock.advance(500);
		expect(await bucket.throttled()).toBeCloseTo(70);
		clock.advance(500);
		expect(await bucket.throttled()).toBeCloseTo(49);
		clock.advance(5_000);
		expect((await bucket.take(0)).rate).toBeCloseTo(54);
		clock.advance(60_000);
		expect((await bucket.take(0)).rate).toBe(100);
	});

	it('refills at the lowered rate', async () => {
		const clock = manualClock();
		const bucket = limiter(clock, 100);
		await bucket.throttled();
		expect((await bucket.take(1_000)).granted).toBe(5);
		clock.advance(1_000);
		expect((await bucket.take(1_000)).granted).toBe(5);
		clock.advance(100);
		// 100 ms at 70/s = 7 tokens, but the bucket holds at most its burst of 5.
		const grant = await bucket.take(3);
		expect(grant.granted).toBe(3);
		expect(grant.rate).toBeCloseTo(70);
		const empty = await bucket.take(10);
		expect(empty.granted).toBe(2);
		expect(empty.waitMs).toBe(Math.ceil(1_000 / 70));
	});
});
