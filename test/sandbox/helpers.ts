/** Shared pieces of the sandbox tests: a real webhook receiver on loopback and small HTTP helpers. */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Meta's JSON (webhook changes, Graph API bodies) as these tests read it: any shape, each path asserted with
 * expect(). Typing every payload would not test more than the assertions do.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one loosely typed JSON alias of the sandbox tests
export type MetaJson = any;

export const TOKEN = 'sandbox-token';
export const PHONE = '1000000001';
export const WABA = '2000000001';
export const APP_SECRET = 'sandbox-app-secret';
export const EMILIA = '5491155551234';

export interface ReceivedWebhook {
	headers: http.IncomingHttpHeaders;
	raw: Buffer;
	json: {
		object: string;
		entry: Array<{
			id: string;
			time?: number;
			changes: Array<{ field: string; value: Record<string, MetaJson> }>;
		}>;
	};
	/** Every change of this POST */
	changes: Array<{ field: string; value: Record<string, MetaJson> }>;
}

export interface Receiver {
	url: string;
	received: ReceivedWebhook[];
	/** Every change of every POST, in arrival order */
	changes(): Array<{ field: string; value: Record<string, MetaJson> }>;
	/** Every status of every POST, in arrival order */
	statuses(): Array<Record<string, MetaJson>>;
	messages(): Array<Record<string, MetaJson>>;
	close(): Promise<void>;
}

/**
 * A webhook endpoint that records every POST. `answer(n)` gives the HTTP status for the n-th POST
 * (1-based), so a test can make the first attempts fail.
 */
export async function startReceiver(answer: (n: number) => number = () => 200): Promise<Receiver> {
	const received: ReceivedWebhook[] = [];
	let count = 0;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			count++;
			const status = answer(count);
			const raw = Buffer.concat(chunks);
			if (status >= 200 && status < 300) {
				const json = JSON.parse(raw.toString('utf8'));
				received.push({
					headers: req.headers,
					raw,
					json,
					changes: json.entry.flatMap((entry: MetaJson) => entry.changes),
				});
			}
			res.writeHead(status, { 'content-length': 0 });
			res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const changes = () => received.flatMap((webhook) => webhook.changes);
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
		received,
		changes,
		statuses: () => changes().flatMap((change) => change.value.statuses ?? []),
		messages: () => changes().flatMap((change) => change.value.messages ?? []),
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

export function sign(raw: Buffer, secret: string): string {
	return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export interface Reply {
	status: number;
	body: MetaJson;
	headers: Headers;
}

export async function call(
	url: string,
	options: {
		method?: string;
		token?: string | null;
		headers?: Record<string, string>;
		body?: unknown;
		signal?: AbortSignal;
	} = {},
): Promise<Reply> {
	const headers: Record<string, string> = { ...options.headers };
	if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
	if (options.body !== undefined) headers['content-type'] = 'application/json';
	const response = await fetch(url, {
		method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
		headers,
		body:
			options.body === undefined
				? undefined
				: typeof options.body === 'string'
					? options.body
					: JSON.stringify(options.body),
		signal: options.signal,
	});
	const text = await response.text();
	return {
		status: response.status,
		body: text ? JSON.parse(text) : undefined,
		headers: response.headers,
	};
}

/** POST /v24.0/{phone}/messages */
export function send(base: string, body: Record<string, unknown>, token?: string): Promise<Reply> {
	return call(`${base}/v24.0/${PHONE}/messages`, {
		body: { messaging_product: 'whatsapp', ...body },
		token,
	});
}

export function text(value: string) {
	return { type: 'text', text: value };
}

/** A valid appointment_reminder send in Spanish */
export function reminder(to = EMILIA, extra: Record<string, unknown> = {}) {
	return {
		to,
		type: 'template',
		template: {
			name: 'appointment_reminder',
			language: { code: 'es' },
			components: [
				{ type: 'body', parameters: [text('Emilia'), text('martes 14 de octubre, 8:30 h')] },
			],
		},
		...extra,
	};
}

export function templateSend(name: string, language: string, components: unknown[], to = EMILIA) {
	return { to, type: 'template', template: { name, language: { code: language }, components } };
}

/** The error object of a Graph API refusal, checked for Meta's shape */
export function graphError(reply: Reply): {
	message: string;
	type: string;
	code: number;
	error_data?: { messaging_product: string; details: string };
	fbtrace_id: string;
} {
	expect(reply.body).toEqual({
		error: expect.objectContaining({
			message: expect.any(String),
			code: expect.any(Number),
			fbtrace_id: expect.any(String),
		}),
	});
	return reply.body.error;
}
