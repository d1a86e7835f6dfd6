/**
 * ≥ 10,000 random and mutated bodies and headers through verifySignature + parseWebhook + normaliseEvents
 * (and the receiveWebhook decision, dedupKey and detectOptChange on whatever comes out): never a throw,
 * never an unhandled rejection, always 200 / 400 / 401 as specified, and events that keep their contract.
 * Seeded: FUZZ_SEED=<n> replays a run.
 */
import { createHmac } from 'node:crypto';
import {
	SIGNATURE_HEADER,
	dedupKey,
	detectOptChange,
	getHeader,
	normaliseEvents,
	parseWebhook,
	receiveWebhook,
	verifySignature,
	type HeaderMap,
	type WebhookEvent,
} from '../../lib/webhook';
import { APP_SECRET } from './fixtures';
import { Fuzzer, corpus, fuzzCase } from './fuzz-gen';

const CASES = 10_500;
const SEED = Number(process.env.FUZZ_SEED ?? 20260523);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;
const KINDS = new Set(['message', 'status', 'other']);

function checkEvent(event: WebhookEvent): void {
	if (!KINDS.has(event.kind)) throw new Error(`kind ${String(event.kind)}`);
	if (typeof event.type !== 'string' || event.type === '') throw new Error('type');
	if (typeof event.field !== 'string' || event.field === '') throw new Error('field');
	if (
		event.timestamp !== undefined &&
		(!ISO.test(event.timestamp) || !Number.isFinite(event.timestampMs))
	)
		throw new Error(`timestamp ${event.timestamp}`);
	for (const key of [
		'id',
		'wabaId',
		'phoneNumberId',
		'text',
		'wa_id',
		'user_id',
		'name',
	] as const) {
		const value = (event as unknown as Record<string, unknown>)[key];
		if (value !== undefined && typeof value !== 'string')
			throw new Error(`${key} is ${typeof value}`);
	}
	for (const error of event.errors ?? []) {
		if (
			!Number.isInteger(error.code) ||
			typeof error.meaning !== 'string' ||
			typeof error.fix !== 'string'
		)
			throw new Error('error shape');
	}
	const key = dedupKey(event);
	if (typeof key !== 'string' || key.length === 0 || key.length > 400)
		throw new Error(`dedup key of length ${key.length}`);
	const opt = detectOptChange(event);
	if (opt !== undefined && opt.change !== 'opt-out' && opt.change !== 'opt-in')
		throw new Error('opt change');
	JSON.stringify(event); // items must be serialisable (n8n stores them)
}

describe(`fuzz (seed ${SEED})`, () => {
	const unhandled: unknown[] = [];
	const onUnhandled = (reason: unknown): void => {
		unhandled.push(reason);
	};
	beforeAll(() => process.on('unhandledRejection', onUnhandled));
	afterAll(() => process.off('unhandledRejection', onUnhandled));

	it(`${CASES} random and mutated requests: no throw, 200/400/401 as specified`, async () => {
		const fuzzer = new Fuzzer(SEED);
		const seeds = corpus();
		const statuses = { 200: 0, 400: 0, 401: 0 };
		const kinds = { message: 0, status: 0, other: 0 };
		let failure: string | undefined;
		for (let i = 0; i < CASES && !failure; i++) {
			const { body, headers } = fuzzCase(fuzzer, seeds);
			try {
				const signature = verifySignature(
					body,
					getHeader(headers as HeaderMap, SIGNATURE_HEADER) as string | undefined,
					APP_SECRET,
				);
				if (!signature.ok && !['missing', 'malformed', 'mismatch'].includes(signature.reason))
					throw new Error(`reason ${signature.reason}`);
				const parsed = parseWebhook(body);
				// every body goes through normalise, signed or not, parsed or not (the raw JSON too, envelope or no envelope)
				const events = normaliseEvents(parsed.ok ? parsed.payload : safeJson(body));
				events.forEach(checkEvent);
				const result = receiveWebhook(
					{ rawBody: body, headers: headers as HeaderMap },
					{ mode: 'signature', appSecret: APP_SECRET },
				);
				const expected = !signature.ok ? 401 : parsed.ok ? 200 : 400;
				if (result.status !== expected)
					throw new Error(`status ${result.status}, expected ${expected}`);
				statuses[result.status]++;
				if (result.status === 200) {
					if (result.events.length !== events.length)
						throw new Error('receiveWebhook and normaliseEvents disagree');
					for (const event of result.events) kinds[event.kind]++;
				}
			} catch (error) {
				failure = `case ${i} (FUZZ_SEED=${SEED}): ${(error as Error).stack}\nbody: ${body.toString('base64').slice(0, 2000)}\nheaders: ${JSON.stringify(headers)?.slice(0, 500)}`;
			}
			if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve)); // let any stray promise surface
		}
		expect(failure).toBeUndefined();
		// The generator must reach every branch, or the test proves little.
		expect(statuses[200]).toBeGreaterThan(CASES * 0.2);
		expect(statuses[400]).toBeGreaterThan(CASES * 0.1);
		expect(statuses[401]).toBeGreaterThan(CASES * 0.1);
		expect(kinds.message).toBeGreaterThan(500);
		expect(kinds.status).toBeGreaterThan(200);
		expect(kinds.other).toBeGreaterThan(200);
		await new Promise((resolve) => setImmediate(resolve));
		expect(unhandled).toEqual([]);
	});

	it('a 100,000-deep signed body: parsed, normalised and keyed without a stack overflow', () => {
		const depth = 100_000;
		const body = Buffer.from(
			`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}]}]}`,
		);
		const result = receiveWebhook(
			{
				rawBody: body,
				headers: {
					[SIGNATURE_HEADER]: `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`,
				},
			},
			{ mode: 'signature', appSecret: APP_SECRET },
		);
		expect(result.status).toBe(200);
		if (result.status === 200) {
			expect(result.events).toHaveLength(1);
			expect(dedupKey(result.events[0])).toMatch(/^other:account_update:/);
			expect(detectOptChange(result.events[0])).toBeUndefined();
		}
	});
});

function safeJson(body: Buffer): unknown {
	try {
		return JSON.parse(body.toString('utf8')) as unknown;
	} catch {
		return body.toString('latin1');
	}
}
