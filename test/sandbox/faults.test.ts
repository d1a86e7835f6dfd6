/**
 * Each fault knob over real HTTP. Timing is only ever asserted as a lower bound (a delay happened), never
 * as an upper bound, so a loaded machine cannot make these fail.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { sampleLatency, seededRandom } from '../../sandbox/random';
import { EMILIA, call, graphError, reminder, send, startReceiver, type Receiver } from './helpers';

let sandbox: RunningSandbox;
let receiver: Receiver;

beforeAll(async () => {
	receiver = await startReceiver();
	sandbox = await startSandbox({
		throughputMps: 1000,
		webhookUrl: receiver.url,
		statusDelayMs: 60_000,
		seed: 42,
	});
});
afterAll(async () => {
	await sandbox.stop();
	await receiver.close();
});
beforeEach(async () => {
	await sandbox.control.flushWebhooks();
	sandbox.control.reset();
	receiver.received.length = 0;
});

test('latency: API answers wait at least the configured delay', async () => {
	sandbox.control.setFaults({ latency: { minMs: 150, maxMs: 150 } });
	const started = Date.now();
	expect((await send(sandbox.url, reminder())).status).toBe(200);
	expect(Date.now() - started).toBeGreaterThanOrEqual(145);
	expect(sandbox.control.faults().latency).toEqual({ minMs: 150, maxMs: 150 });
});

test('latency can be a log-normal distribution given a median and a p99, capped at maxMs', async () => {
	const random = seededRandom(3);
	const samples = Array.from({ length: 4000 }, () =>
		sampleLatency({ medianMs: 80, p99Ms: 400, maxMs: 1000 }, random),
	).sort((a, b) => a - b);
	expect(samples[2000]).toBeGreaterThan(72);
	expect(samples[2000]).toBeLessThan(88);
	expect(samples[3960]).toBeGreaterThan(300);
	expect(samples[3960]).toBeLessThan(520);
	expect(samples[3999]).toBeLessThanOrEqual(1000);
	sandbox.control.setFaults({ latency: { medianMs: 20, p99Ms: 60 } });
	const replies = await Promise.all(
		[1, 2, 3, 4, 5, 6].map((n) => send(sandbox.url, reminder(`54911555540${n}0`))),
	);
	expect(replies.every((reply) => reply.status === 200)).toBe(true);
	expect(() => sandbox.control.setFaults({ latency: { medianMs: 100, p99Ms: 50 } })).toThrow(
		'faults.latency.p99Ms must be ≥ medianMs',
	);
});

test("errorRate5xx: 1 answers every request with Meta's 500 (131000) or 503 (2), and nothing is sent", async () => {
	sandbox.control.setFaults({ errorRate5xx: 1 });
	const replies = await Promise.all(
		[1, 2, 3, 4, 5, 6, 7, 8].map((n) => send(sandbox.url, reminder(`54911555541${n}0`))),
	);
	for (const reply of replies) {
		const error = graphError(reply);
		expect([500, 503]).toContain(reply.status);
		expect(error.code).toBe(reply.status === 500 ? 131000 : 2);
	}
	expect(sandbox.control.ledger.count()).toBe(0);
	sandbox.control.setFaults({ errorRate5xx: 0 });
	expect((await send(sandbox.url, reminder())).status).toBe(200);
});

test('errorRate5xx: a share of requests, reproducible with a seed', async () => {
	const run = async () => {
		const seeded = await startSandbox({
			seed: 7,
			throughputMps: 1000,
			faults: { errorRate5xx: 0.5 },
		});
		try {
			const statuses: number[] = [];
			for (let n = 0; n < 20; n++)
				statuses.push(
					(await send(seeded.url, reminder(`549115555${String(n).padStart(4, '0')}`))).status,
				);
			return statuses;
		} finally {
			await seeded.stop();
		}
	};
	const first = await run();
	expect(first.filter((status) => status === 200).length).toBeGreaterThan(0);
	expect(first.filter((status) => status >= 500).length).toBeGreaterThan(0);
	expect(await run()).toEqual(first);
});

test('hangRate: 1 leaves requests unanswered until the client gives up; nothing is sent', async () => {
	sandbox.control.setFaults({ hangRate: 1 });
	await expect(
		call(`${sandbox.url}/v24.0/1000000001/messages`, {
			body: { messaging_product: 'whatsapp', ...reminder() },
			signal: AbortSignal.timeout(300),
		}),
	).rejects.toThrow(/aborted|timeout/i);
	expect(sandbox.control.ledger.count()).toBe(0);
	// The control API is never hung, so a test can always turn the fault off.
	const off = await call(`${sandbox.url}/_sandbox/faults`, { token: null, body: { hangRate: 0 } });
	expect(off.body.hangRate).toBe(0);
	expect((await send(sandbox.url, reminder())).status).toBe(200);
});

test('burst130429 {count}: the next N sends get 130429 whatever the throughput, then sends pass', async () => {
	sandbox.control.setFaults({ burst130429: { count: 3 } });
	const codes: number[] = [];
	for (let n = 0; n < 5; n++) {
		const reply = await send(sandbox.url, reminder(`54911555542${n}0`));
		codes.push(reply.status === 200 ? 200 : graphError(reply).code);
	}
	expect(codes).toEqual([130429, 130429, 130429, 200, 200]);
});

test('burst130429 {durationMs}: every send inside the burst window gets 130429', async () => {
	sandbox.control.setFaults({ burst130429: { durationMs: 60_000, everyMs: 120_000 } });
	const reply = await send(sandbox.url, reminder());
	expect(graphError(reply)).toMatchObject({ code: 130429, message: '(#130429) Rate limit hit' });
	expect(reply.status).toBe(400);
	expect(() => sandbox.control.setFaults({ burst130429: {} })).toThrow(/needs count/);
});

test('duplicateWebhookRate: 1 delivers every POST twice with identical bytes', async () => {
	sandbox.control.setFaults({ duplicateWebhookRate: 1 });
	sandbox.control.inbound({ from: EMILIA, text: 'hola' });
	await sandbox.control.flushWebhooks();
	expect(receiver.received).toHaveLength(2);
	expect(receiver.received[0].raw.equals(receiver.received[1].raw)).toBe(true);
	expect(sandbox.control.webhookDeliveries().map((d) => d.duplicate)).toEqual([false, true]);
});

test('reorderWebhooks: statuses of a message can arrive out of order (read before sent)', async () => {
	sandbox.control.setFaults({ reorderWebhooks: true });
	for (let n = 0; n < 10; n++) await send(sandbox.url, reminder(`54911555543${n}0`));
	await sandbox.control.flushWebhooks();
	const byMessage = new Map<string, string[]>();
	for (const status of receiver.statuses())
		byMessage.set(status.id, [...(byMessage.get(status.id) ?? []), status.status]);
	expect(byMessage.size).toBe(10);
	const orders = [...byMessage.values()];
	expect(orders.every((order) => [...order].sort().join() === 'delivered,read,sent')).toBe(true);
	expect(orders.some((order) => order.join() !== 'sent,delivered,read')).toBe(true);
});

test("without reordering, each message's statuses arrive in order", async () => {
	for (let n = 0; n < 10; n++) await send(sandbox.url, reminder(`54911555544${n}0`));
	await sandbox.control.flushWebhooks();
	const byMessage = new Map<string, string[]>();
	for (const status of receiver.statuses())
		byMessage.set(status.id, [...(byMessage.get(status.id) ?? []), status.status]);
	expect([...byMessage.values()].every((order) => order.join() === 'sent,delivered,read')).toBe(
		true,
	);
});

test('webhookDelayMs: a webhook waits at least that long', async () => {
	sandbox.control.setFaults({ webhookDelayMs: 200 });
	const started = Date.now();
	sandbox.control.inbound({ from: EMILIA, text: 'hola' });
	expect(sandbox.control.pendingWebhooks().scheduled).toBe(1);
	await sandbox.control.waitForWebhooksIdle();
	expect(Date.now() - started).toBeGreaterThanOrEqual(195);
	expect(receiver.messages()).toHaveLength(1);
});

test('faults are checked by name and range, and reset() restores the start options', async () => {
	expect(() => sandbox.control.setFaults({ errorRate5xx: 2 })).toThrow(
		'faults.errorRate5xx must be a number from 0 to 1',
	);
	expect(() => sandbox.control.setFaults({ webhookRetry: { maxAttempts: 0 } } as never)).toThrow(
		'faults.webhookRetry.maxAttempts',
	);
	sandbox.control.setFaults({ errorRate5xx: 0.3, reorderWebhooks: true });
	sandbox.control.reset();
	expect(sandbox.control.faults()).toMatchObject({
		errorRate5xx: 0,
		reorderWebhooks: false,
		latency: null,
	});
});

test('faults can be set at start', async () => {
	const faulty = await startSandbox({
		faults: { errorRate5xx: 1 },
		latency: { minMs: 0, maxMs: 5 },
	});
	try {
		expect((await send(faulty.url, reminder())).status).toBeGreaterThanOrEqual(500);
		expect(faulty.control.faults().latency).toEqual({ minMs: 0, maxMs: 5 });
	} finally {
		await faulty.stop();
	}
});
