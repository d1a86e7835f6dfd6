/**
 * Child process for the two-process test: waits for "go" on stdin, takes tokens from the shared Redis bucket
 * for DURATION_MS, and prints the Redis time of every token it got, as JSON.
 */
import Redis from 'ioredis';
import { RedisRateLimiter, systemClock } from '../../lib/delivery';

async function main(): Promise<void> {
	const redis = new Redis({
		host: '127.0.0.1',
		port: Number(process.env.TEST_REDIS_PORT),
		password: process.env.TEST_REDIS_PASSWORD,
	});
	const limiter = new RedisRateLimiter({
		redis,
		key: String(process.env.BUCKET_KEY),
		prefix: 'test:delivery:',
		ratePerSecond: Number(process.env.RATE),
		burst: Number(process.env.BURST),
	});
	await redis.ping();
	process.stdout.write('ready\n');
	await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
	const grants: number[] = [];
	const end = systemClock.now() + Number(process.env.DURATION_MS);
	while (systemClock.now() < end) {
		const grant = await limiter.take(1);
		if (grant.granted) grants.push(grant.at);
		else await systemClock.sleep(grant.waitMs);
	}
	process.stdout.write(`${JSON.stringify(grants)}\n`);
	await redis.quit();
}

main().catch((error) => {
	process.stderr.write(`${(error as Error).message}\n`);
	process.exit(1);
});
