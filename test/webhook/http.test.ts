/**
 * The library behind a real HTTP server on loopback, wired the way the trigger node wires it: raw bytes
 * collected from the socket (multi-byte characters split across chunks), GET → verifyHandshake,
 * POST → receiveWebhook, dedupKey against a seen-set standing in for the store.
 */
import type { Server } from 'node:http';
import {
	getHeader,
	parseWebhook,
	SIGNATURE_HEADER,
	verifySignature,
	type HeaderMap,
} from '../../lib/webhook';
import {
	APP_SECRET,
	entry,
	envelope,
	inbound,
	messages,
	messagesChange,
	contact,
	metaJson,
	sign,
	status,
	statusPayload,
} from './fixtures';
import { Fuzzer, corpus, fuzzCase } from './fuzz-gen';
import { VERIFY_TOKEN, startReceiver, type Received } from './receiver';

/** POST with the body written in small pieces, so UTF-8 sequences are split between chunks. */
function post(url: string, body: Buffer, headers: Record<string, string>): Promise<Response> {
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			for (let at = 0; at < body.length; at += 7) controller.enqueue(body.subarray(at, at + 7));
			controller.close();
		},
	});
	return fetch(url, {
		method: 'POST',
		body: stream,
		headers: { 'content-type': 'application/json', ...headers },
		duplex: 'half',
	} as RequestInit);
}

describe('webhook over loopback HTTP', () => {
	let server: Server;
	let url: string;
	const received: Received = { events: [], optChanges: [], duplicates: 0, statuses: [] };

	beforeAll(async () => ({ server, url } = await startReceiver(received, APP_SECRET)));
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	it('handshake: 200 with the challenge as text/plain for the right token, 403 otherwise', async () => {
		const good = await fetch(
			`${url}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
		);
		expect(good.status).toBe(200);
		expect(good.headers.get('content-type')).toMatch(/^text\/plain/);
		expect(await good.text()).toBe('1158201444');
		const bad = await fetch(
			`${url}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`,
		);
		expect(bad.status).toBe(403);
		expect(await bad.text()).not.toContain('1158201444');
	});

	it('signed unicode body arriving in 7-byte chunks: 200 and the text intact', async () => {
		const message = messages.text('Ñandú 你好 👍🏽 «baja»');
		const body = Buffer.from(JSON.stringify(inbound(message)), 'utf8'); // raw UTF-8, not escaped
		const response = await post(url, body, { [SIGNATURE_HEADER]: sign(body) });
		expect(response.status).toBe(200);
		expect(received.events.find((event) => event.id === message.id)).toMatchObject({
			kind: 'message',
			text: 'Ñandú 你好 👍🏽 «baja»',
		});
	});

	it('401 for a missing, malformed or wrong signature; 400 for a signed body that is not a WhatsApp webhook', async () => {
		const body = Buffer.from(metaJson(inbound(messages.text('x'))));
		expect((await post(url, body, {})).status).toBe(401);
		expect((await post(url, body, { [SIGNATURE_HEADER]: 'sha256=abc' })).status).toBe(401);
		expect(
			(await post(url, body, { [SIGNATURE_HEADER]: sign(body, 'another-secret') })).status,
		).toBe(401);
		const altered = Buffer.from(body);
		altered[altered.length - 3] ^= 0x20;
		expect((await post(url, altered, { [SIGNATURE_HEADER]: sign(body) })).status).toBe(401);
		const notJson = Buffer.from('hello');
		expect((await post(url, notJson, { [SIGNATURE_HEADER]: sign(notJson) })).status).toBe(400);
	});

	it("Meta's retries and duplicate deliveries are recognised by their dedup keys", async () => {
		const before = received.events.length;
		const duplicatesBefore = received.duplicates;
		const message = messages.text('STOP');
		const batch = envelope(
			entry([
				messagesChange({
					contacts: [contact()],
					messages: [message],
					statuses: [status('delivered', { id: 'wamid.R1' })],
				}),
			]),
		);
		const body = Buffer.from(metaJson(batch));
		for (let i = 0; i < 3; i++)
			expect((await post(url, body, { [SIGNATURE_HEADER]: sign(body) })).status).toBe(200);
		// the same status again in a different batch (another app subscription), then a later status
		const read = Buffer.from(metaJson(statusPayload(status('read', { id: 'wamid.R1' }))));
		const delivered = Buffer.from(metaJson(statusPayload(status('delivered', { id: 'wamid.R1' }))));
		for (const each of [delivered, read, read])
			expect((await post(url, each, { [SIGNATURE_HEADER]: sign(each) })).status).toBe(200);
		const fresh = received.events.slice(before).map((event) => `${event.kind}:${event.type}`);
		expect(fresh).toEqual(['message:text', 'status:delivered', 'status:read']);
		expect(received.duplicates - duplicatesBefore).toBe(6); // 2 × (message + status) retried, delivered again, read again
		expect(received.optChanges.filter((opt) => opt.reason === 'keyword')).toHaveLength(1);
	});

	it('300 fuzz requests over HTTP: always 200, 400 or 401 as the library decides, never 500', async () => {
		const fuzzer = new Fuzzer(7);
		const seeds = corpus();
		const seenStatuses = new Set<number>();
		for (let i = 0; i < 300; i++) {
			const { body, headers } = fuzzCase(fuzzer, seeds);
			const header = getHeader(headers as HeaderMap, SIGNATURE_HEADER);
			// HTTP carries only printable ASCII header values, and Node answers 431 itself above 16 KB of headers;
			// anything else is sent without the header
			const sendable =
				typeof header === 'string' && /^[\x20-\x7e]{1,8000}$/.test(header) && header.trim() !== ''
					? header
					: undefined;
			const response = await post(
				url,
				body,
				sendable === undefined ? {} : { [SIGNATURE_HEADER]: sendable },
			);
			const expected = !verifySignature(body, sendable, APP_SECRET).ok
				? 401
				: parseWebhook(body).ok
					? 200
					: 400;
			expect(response.status).toBe(expected);
			await response.arrayBuffer();
			seenStatuses.add(response.status);
		}
		expect([...seenStatuses].sort()).toEqual([200, 400, 401]);
	});
});
