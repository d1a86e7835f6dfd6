/**
 * A webhook receiver on loopback wired the way the trigger node wires the library: raw bytes collected
 * from the socket, GET → verifyHandshake (text/plain), POST → receiveWebhook, then dedupKey against a
 * seen-set standing in for the store, and detectOptChange on each new event.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	dedupKey,
	detectOptChange,
	receiveWebhook,
	verifyHandshake,
	type OptChange,
	type WebhookEvent,
} from '../../lib/webhook';

export const VERIFY_TOKEN = 'loopback-verify-token';

export interface Received {
	/** New events, in arrival order */
	events: WebhookEvent[];
	optChanges: OptChange[];
	/** Events dropped because their dedup key was seen before */
	duplicates: number;
	/** HTTP status of every POST answered */
	statuses: number[];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export function startReceiver(
	received: Received,
	appSecret: string,
): Promise<{ server: Server; url: string }> {
	const seen = new Set<string>();
	const server = createServer((req, res) => {
		void (async () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			if (req.method === 'GET') {
				const result = verifyHandshake(url.searchParams, VERIFY_TOKEN);
				res.writeHead(result.status, { 'content-type': 'text/plain; charset=utf-8' });
				res.end(result.status === 200 ? result.body : 'Forbidden');
				return;
			}
			const rawBody = await readBody(req);
			const result = receiveWebhook(
				{ rawBody, headers: req.headers },
				{ mode: 'signature', appSecret },
			);
			received.statuses.push(result.status);
			// Answer first, as the trigger must (Meta wants 200 fast); the work below happens after.
			res.writeHead(result.status, { 'content-type': 'text/plain' });
			res.end(result.status === 200 ? 'OK' : result.reason);
			if (result.status !== 200) return;
			for (const event of result.events) {
				const key = dedupKey(event);
				if (seen.has(key)) {
					received.duplicates++;
					continue;
				}
				seen.add(key);
				received.events.push(event);
				const opt = detectOptChange(event);
				if (opt) received.optChanges.push(opt);
			}
		})().catch((error: Error) => {
			res.writeHead(500);
			res.end(error.message);
		});
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({
				server,
				url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
			}),
		),
	);
}
