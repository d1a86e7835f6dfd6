/**
 * Queue mode: with the Redis store, every n8n worker sending for one phone number shares one token bucket in
 * Redis (RedisRateLimiter keyed by the phone number ID), so together they never exceed the number's rate.
 * One ioredis connection per Redis credential and process, like the store's.
 */
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import type { IExecuteFunctions } from 'n8n-workflow';

import { RedisRateLimiter, type RateLimiter } from '../../lib/delivery';
import { ioredisConnection } from '../../lib/store/redis';
import { STORE_CREDENTIAL, redisOptionsFrom } from '../common/store';

const CACHE_KEY = Symbol.for('n8n-nodes-whatsapp-hsm.rate-limiter-clients');

function clients(): Map<string, Redis> {
	const holder = globalThis as unknown as Record<symbol, Map<string, Redis> | undefined>;
	return (holder[CACHE_KEY] ??= new Map());
}

export async function sharedRateLimiter(
	ctx: IExecuteFunctions,
	phoneNumberId: string,
): Promise<(capMps: number) => RateLimiter> {
	const options = redisOptionsFrom(await ctx.getCredentials(STORE_CREDENTIAL));
	const key = createHash('sha256').update(JSON.stringify(options)).digest('hex');
	let client = clients().get(key);
	if (!client) {
		client = new Redis(ioredisConnection(options));
		// Errors surface on the calls that fail; without a listener ioredis would print each one.
		client.on('error', () => undefined);
		clients().set(key, client);
	}
	const redis = client;
	return (capMps) =>
		new RedisRateLimiter({
			redis,
			key: phoneNumberId,
			prefix: options.keyPrefix,
			ratePerSecond: capMps,
		});
}

/** Closes the shared connections (tests). */
export async function closeSharedRateLimiters(): Promise<void> {
	const all = [...clients().values()];
	clients().clear();
	await Promise.all(all.map((client) => client.quit().catch(() => client.disconnect())));
}
