import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';

import { RedisStore } from '../../lib/store/redis';
import { describeStoreContract, type ContractHarness } from './store.contract';

const host = process.env.TEST_REDIS_HOST ?? '127.0.0.1';
const port = Number(process.env.TEST_REDIS_PORT);
const password = process.env.TEST_REDIS_PASSWORD ?? '';
const prefix = `test-store-${randomUUID().slice(0, 8)}:`;

describeStoreContract(
	'Redis (several clients on one server)',
	async (): Promise<ContractHarness> => {
		const clock = { now: Date.now() };
		return {
			clock,
			open: () =>
				RedisStore.connect({ host, port, password, keyPrefix: prefix, now: () => clock.now }),
			advance: async (ms) => {
				clock.now += ms;
				await new Promise((resolve) => setTimeout(resolve, ms)); // Redis expires keys by its own clock
			},
			close: async () => undefined,
		};
	},
);

describe('Redis store: connection, secrets and key layout', () => {
	it('names where Redis is and what to check when it stops answering, without the password', async () => {
		const store = await RedisStore.connect({ host, port, password, keyPrefix: prefix });
		// The connection goes away under the store, as when Redis restarts mid-campaign.
		(store as unknown as { client: Redis }).client.disconnect();
		const error = await store.getContact('pn', '1').then(
			() => undefined,
			(e: Error) => e,
		);
		expect(error?.message).toMatch(
			new RegExp(
				`^Redis at ${host.replace(/\./g, '\\.')}:${port} did not answer the conversation store \\(getContacts: .+\\): check that Redis is running and reachable \\(Redis \\(WhatsApp HSM Store\\) credential\\)$`,
			),
		);
		if (password) expect(String(error?.stack)).not.toContain(password);
		await store.close();
	});

	it('names the problem of a wrong password without ever showing the password', async () => {
		const wrong = `wrong-${randomUUID()}`;
		const error = await RedisStore.connect({
			host,
			port,
			password: wrong,
			keyPrefix: prefix,
			connectTimeoutMs: 500,
		}).then(
			() => undefined,
			(e: Error) => e,
		);
		expect(error).toBeInstanceOf(Error);
		expect(error?.message).toMatch(/refused the user name \/ password: check Password/);
		const everything =
			JSON.stringify(error, Object.getOwnPropertyNames(error)) +
			String(error?.stack) +
			JSON.stringify(Object.entries(error ?? {}));
		expect(everything).not.toContain(wrong);
		expect(everything).not.toContain(password);
	});

	it('says when Redis wants a password and none is set', async () => {
		await expect(
			RedisStore.connect({ host, port, keyPrefix: prefix, connectTimeoutMs: 500 }),
		).rejects.toThrow(/requires a password|refused/);
	});

	it('says when nothing listens at host:port', async () => {
		await expect(
			RedisStore.connect({ host: '127.0.0.1', port: 1, password, connectTimeoutMs: 500 }),
		).rejects.toThrow(
			/Cannot connect to the Redis store at 127\.0\.0\.1:1: Redis is not reachable/,
		);
	});

	it('keeps prefixes apart and escapes ":" in IDs so keys never collide', async () => {
		const a = await RedisStore.connect({ host, port, password, keyPrefix: `${prefix}a:` });
		const b = await RedisStore.connect({ host, port, password, keyPrefix: `${prefix}b:` });
		try {
			await a.recordInbound({ businessNumberId: 'pn', waId: '1', at: 1000 });
			expect(await b.getContact('pn', '1')).toBeUndefined();
			// ("x:y", "z") and ("x", "y:z") are different recipients
			await a.claimRecipients('x:y', [{ recipientId: 'z' }]);
			expect((await a.claimRecipient('x', { recipientId: 'y:z' })).won).toBe(true);
			expect((await a.getRecipients('x', ['y:z'])).size).toBe(1);
			expect(await a.markSeen(['k'])).toEqual([true]);
			expect(await b.markSeen(['k'])).toEqual([true]);
		} finally {
			await a.close();
			await b.close();
		}
	});

	it('gives seen keys a real TTL of 7 days by default', async () => {
		const store = await RedisStore.connect({ host, port, password, keyPrefix: prefix });
		const raw = new Redis({ host, port, password });
		try {
			await store.markSeen(['ttl-check']);
			const ttl = await raw.pttl(`${prefix}s:ttl-check`);
			expect(ttl).toBeGreaterThan(7 * 24 * 3600 * 1000 - 60_000);
			expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600 * 1000);
		} finally {
			await store.close();
			raw.disconnect();
		}
	});

	it('fails calls after close with a clear message', async () => {
		const store = await RedisStore.connect({ host, port, password, keyPrefix: prefix });
		await store.close();
		await expect(store.getContact('pn', '1')).rejects.toThrow(/closed/);
	});
});
