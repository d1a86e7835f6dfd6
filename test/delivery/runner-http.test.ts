import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Redis from 'ioredis';
import {
	RedisRateLimiter,
	retryPolicy,
	runDeliveries,
	type RateLimiter,
	type SendResult,
	type TokenGrant,
} from '../../lib/delivery';
import type { GraphErrorBody, SendMessageResponse } from '../../lib/cloud-api/types';
import { maxInWindow, memoryHooks, testRedis } from './helpers';

/** A Graph-API-shaped server over loopback: answers per recipient, and counts what it accepted. */
function graphServer() {
	const accepted = new Map<string, number>();
	const received = new Map<string, number>();
	const hung: ServerResponse[] = [];
	const error = (res: ServerResponse, status: number, code: number, message: string) => {
		const body: { error: GraphErrorBody } = {
			error: {
				message,
				code,
				type: 'OAuthException',
				error_data: { messaging_product: 'whatsapp', details: message },
				fbtrace_id: 'test',
			},
		};
		res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
	};
	const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
		let raw = '';
		req.on('data', (chunk) => (raw += chunk));
		req.on('end', () => {
			const { to } = JSON.parse(raw) as { to: string };
			const attempt = (received.get(to) ?? 0) + 1;
			received.set(to, attempt);
			if (to === 'hang') return void hung.push(res);
			if (to === 'flaky' && attempt === 1) return error(res, 500, 131000, 'Something went wrong');
			if (to === 'pair' && attempt === 1) return error(res, 400, 131056, 'Pair rate limit hit');
			if (to === 'bad') return error(res, 400, 100, 'Invalid parameter');
			accepted.set(to, (accepted.get(to) ?? 0) + 1);
			const body: SendMessageResponse = {
				messaging_product: 'whatsapp',
				contacts: [{ input: to, wa_id: to }],
				messages: [{ id: `wamid.${to}`, message_status: 'accepted' }],
			};
			res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
		});
	});
	return { server, accepted, received, hung };
}

/** The transport as the node will build it: never throws on HTTP status, maps the Graph error body. */
function fetchTransport(baseUrl: string) {
	return async (payload: { to: string }, signal: AbortSignal): Promise<SendResult> => {
		let response: Response;
		try {
			response = await fetch(`${baseUrl}/v24.0/1234/messages`, {
				method: 'POST',
				body: JSON.stringify({ messaging_product: 'whatsapp', ...payload }),
				headers: { 'content-type': 'application/json' },
				signal,
			});
		} catch (error) {
			return signal.aborted
				? { ok: false, timedOut: true }
				: { ok: false, details: (error as Error).message };
		}
		const body = (await response.json()) as SendMessageResponse | { error: GraphErrorBody };
		if ('error' in body)
			return {
				ok: false,
				code: body.error.code,
				httpStatus: response.status,
				details: body.error.error_data?.details,
			};
		return { ok: true, wamid: body.messages[0].id, messageStatus: body.messages[0].message_status };
	};
}

/** Records the bucket's own grant times, to check the shared cap exactly (not through network jitter). */
function recording(limiter: RateLimiter, grants: number[]): RateLimiter {
	return {
		get cap() {
			return limiter.cap;
		},
		setCap: (mps) => limiter.setCap(mps),
		throttled: () => limiter.throttled(),
		take: async (want): Promise<TokenGrant> => {
			const grant = await limiter.take(want);
			for (let i = 0; i < grant.granted; i++) grants.push(grant.at);
			return grant;
		},
	};
}

describe('runDeliveries over real HTTP, two workers sharing a Redis bucket', () => {
	let graph: ReturnType<typeof graphServer>;
	let baseUrl: string;
	let redisA: Redis;
	let redisB: Redis;

	beforeAll(async () => {
		graph = graphServer();
		await new Promise<void>((resolve) => graph.server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(graph.server.address() as AddressInfo).port}`;
		redisA = testRedis();
		redisB = testRedis();
	});

	afterAll(async () => {
		for (const res of graph.hung) res.destroy();
		graph.server.closeAllConnections();
		await new Promise((resolve) => graph.server.close(resolve));
		await Promise.all([redisA.quit(), redisB.quit()]);
	});

	it('sends each recipient once, under the shared cap, with retries, failures and timeouts', async () => {
		const rate = 100;
		const key = `http-${Date.now()}`;
		const grants: number[] = [];
		const limiter = (redis: Redis) =>
			recording(
				new RedisRateLimiter({
					redis,
					key,
					prefix: 'test:delivery:',
					ratePerSecond: rate,
					burst: 5,
				}),
				grants,
			);
		// Fast waits so the test takes seconds: the rules are data.
		const policy = retryPolicy({
			byCode: { 131056: { action: 'recipient-wait', baseMs: 10, factor: 4, maxAttempts: 3 } },
			byClass: { retry: { action: 'backoff', baseMs: 20, capMs: 100, maxAttempts: 4 } },
		});
		const recipients = [
			...Array.from({ length: 200 }, (_, i) => `3161234${String(i).padStart(4, '0')}`),
			'flaky',
			'pair',
			'bad',
			'hang',
		];
		const toJob = (to: string) => ({ key: to, payload: { to } });
		// Both workers get overlapping halves, as after a restart: the shared claims keep it exactly once.
		const workerA = recipients.slice(0, 130).concat(['flaky', 'pair', 'bad', 'hang']).map(toJob);
		const workerB = recipients.slice(70, 200).map(toJob);
		const hooks = memoryHooks();
		const send = fetchTransport(baseUrl);
		const common = { send, hooks, policy, requestTimeoutMs: 500, random: () => 0.5 };
		const [a, b] = await Promise.all([
			runDeliveries({ jobs: workerA, limiter: limiter(redisA), ...common }),
			runDeliveries({ jobs: workerB, limiter: limiter(redisB), ...common }),
		]);

		const results = [...a.results, ...b.results];
		const outcome = (to: string) =>
			results.find((result) => result.key === to && result.outcome !== 'skipped');
		expect(outcome('flaky')).toMatchObject({
			outcome: 'sent',
			attempts: 2,
			wamid: 'wamid.flaky',
			messageStatus: 'accepted',
		});
		expect(outcome('pair')).toMatchObject({ outcome: 'sent', attempts: 2 });
		expect(outcome('bad')).toMatchObject({
			outcome: 'failed',
			code: 100,
			httpStatus: 400,
			details: 'Invalid parameter',
			attempts: 1,
		});
		expect(outcome('hang')).toMatchObject({ outcome: 'uncertain', attempts: 1 });
		expect(graph.received.get('hang')).toBe(1);

		// Exactly once at the server; the overlap shows up as skips.
		expect([...graph.accepted.values()].every((count) => count === 1)).toBe(true);
		expect(graph.accepted.size).toBe(202);
		expect(a.summary.counts.sent + b.summary.counts.sent).toBe(202);
		expect(a.summary.counts.skipped + b.summary.counts.skipped).toBe(60);
		expect(hooks.settled).toHaveLength(204);
		// Both workers sent, and together they stayed within one number's bucket.
		expect(a.summary.counts.sent).toBeGreaterThan(20);
		expect(b.summary.counts.sent).toBeGreaterThan(20);
		expect(maxInWindow(grants, 1_000)).toBeLessThanOrEqual(5 + rate + 1);
	}, 30_000);
});
