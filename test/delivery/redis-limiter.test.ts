import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../helpers/redis-server';
import { RedisRateLimiter, systemClock } from '../../lib/delivery';
import { maxInWindow, testRedis } from './helpers';

const rate = 100;
const burst = 5;
/** The bucket's guarantee for any 1 s window, +1 for the float tolerance in floor(tokens + 1e-9). */
const capPerSecond = burst + rate + 1;

async function takeFor(limiter: RedisRateLimiter, durationMs: number): Promise<number[]> {
	const grants: number[] = [];
	const end = systemClock.now() + durationMs;
	while (systemClock.now() < end) {
		const grant = await limiter.take(1);
		if (grant.granted) grants.push(grant.at);
		else await systemClock.sleep(grant.waitMs);
	}
	return grants;
}

describe('RedisRateLimiter (global bucket per phone number)', () => {
	let first: Redis;
	let second: Redis;
	beforeAll(() => {
		first = testRedis();
		second = testRedis();
	});
	afterAll(async () => {
		await Promise.all([first.quit(), second.quit()]);
	});

	it('holds the cap for two clients sharing one number', async () => {
		const key = `shared-${Date.now()}`;
		const options = { key, prefix: 'test:delivery:', ratePerSecond: rate, burst };
		const [a, b] = await Promise.all([
			takeFor(new RedisRateLimiter({ redis: first, ...options }), 1_500),
			takeFor(new RedisRateLimiter({ redis: second, ...options }), 1_500),
		]);
		expect(a.length).toBeGreaterThan(0);
		expect(b.length).toBeGreaterThan(0);
		// Each alone would get ~100/s; together they must still fit one bucket.
		expect(maxInWindow([...a, ...b], 1_000)).toBeLessThanOrEqual(capPerSecond);
	});

	it('keeps separate numbers apart', async () => {
		const options = { prefix: 'test:delivery:', ratePerSecond: 10, burst: 3 };
		const one = new RedisRateLimiter({ redis: first, key: `one-${Date.now()}`, ...options });
		const two = new RedisRateLimiter({ redis: first, key: `two-${Date.now()}`, ...options });
		expect((await one.take(10)).granted).toBe(3);
		expect((await two.take(10)).granted).toBe(3);
	});

	it('shares a 130429 slow-down with every worker of the number', async () => {
		const key = `throttle-${Date.now()}`;
		const a = new RedisRateLimiter({
			redis: first,
			key,
			prefix: 'test:delivery:',
			ratePerSecond: rate,
		});
		const b = new RedisRateLimiter({
			redis: second,
			key,
			prefix: 'test:delivery:',
			ratePerSecond: rate,
		});
		expect(await a.throttled()).toBeCloseTo(70);
		expect((await b.take(0)).rate).toBeCloseTo(70);
		// Within the cooldown, b's 130429 for the same burst does not compound.
		expect(await b.throttled()).toBeCloseTo(70);
	});

	it('needs the phone number as key', () => {
		expect(() => new RedisRateLimiter({ redis: first, key: '', ratePerSecond: 10 })).toThrow(/key/);
	});

	it('holds the cap for two processes', async () => {
		const key = `processes-${Date.now()}`;
		const worker = join(__dirname, 'bucket-worker.ts');
		const children = [0, 1].map(() =>
			spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', worker], {
				cwd: join(__dirname, '..', '..'),
				env: {
					...process.env,
					BUCKET_KEY: key,
					RATE: String(rate),
					BURST: String(burst),
					DURATION_MS: '1500',
				},
				stdio: ['pipe', 'pipe', 'pipe'],
			}),
		);
		const outputs = children.map(
			(child) =>
				new Promise<string[]>((resolve, reject) => {
					let out = '';
					let err = '';
					child.stdout.on('data', (chunk) => (out += chunk));
					child.stderr.on('data', (chunk) => (err += chunk));
					child.on('exit', (code) =>
						code === 0
							? resolve(out.trim().split('\n'))
							: reject(new Error(`worker exited ${code}: ${err}`)),
					);
				}),
		);
		// Start both at once, after both are loaded, so their sending overlaps.
		await Promise.all(
			children.map(
				(child) => new Promise<void>((resolve) => child.stdout.once('data', () => resolve())),
			),
		);
		for (const child of children) child.stdin.end('go\n');
		const [a, b] = (await Promise.all(outputs)).map(
			(lines) => JSON.parse(lines[lines.length - 1]) as number[],
		);
		expect(a.length).toBeGreaterThan(0);
		expect(b.length).toBeGreaterThan(0);
		expect(Math.min(a[a.length - 1], b[b.length - 1])).toBeGreaterThan(Math.max(a[0], b[0]));
		expect(maxInWindow([...a, ...b], 1_000)).toBeLessThanOrEqual(capPerSecond);
	}, 30_000);

	it('names Redis and where it is when Redis does not answer (no password in the message)', async () => {
		const port = await freePort();
		const unreachable = new Redis({
			host: '127.0.0.1',
			port,
			password: 'limiter-secret',
			maxRetriesPerRequest: 0,
			retryStrategy: () => null,
			lazyConnect: true,
		});
		unreachable.on('error', () => undefined);
		try {
			const limiter = new RedisRateLimiter({
				redis: unreachable,
				key: 'down',
				prefix: 'test:delivery:',
				ratePerSecond: rate,
				burst,
			});
			const failure = await limiter.take(1).then(
				() => undefined,
				(error: Error) => error,
			);
			expect(failure?.message).toMatch(
				new RegExp(
					`^Redis at 127\\.0\\.0\\.1:${port} did not answer the shared rate limit \\(.+\\): check that Redis is running`,
				),
			);
			expect(failure?.message).not.toContain('limiter-secret');
		} finally {
			unreachable.disconnect();
		}
	});
});
