/**
 * Stands in for the WhatsApp HSM Trigger in campaign tests: receives the sandbox's signed webhooks over loopback
 * and records what the trigger records for campaigns — statuses (settling uncertain recipients, matched by
 * biz_opaque_callback_data) and inbound messages (replies) — in the given store.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ConversationStore } from '../../lib/store/types';
import { receiveWebhook } from '../../lib/webhook';
import { isDeliveryStatusEvent, statusInputOf } from '../../lib/webhook/record';

export interface StatusReceiver {
	url: string;
	/** Statuses recorded, and how many settled an uncertain / claimed recipient */
	counts: {
		statuses: number;
		settled: number;
		unmatched: number;
		inbound: number;
		refused: number;
	};
	close(): Promise<void>;
}

export async function startStatusReceiver(
	store: ConversationStore,
	appSecret: string,
): Promise<StatusReceiver> {
	const counts = { statuses: 0, settled: 0, unmatched: 0, inbound: 0, refused: 0 };
	// One POST at a time: the store work of a batch finishes before the next is read (like a single trigger).
	let queue: Promise<void> = Promise.resolve();
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const result = receiveWebhook(
				{ rawBody: Buffer.concat(chunks), headers: req.headers },
				{ mode: 'signature', appSecret },
			);
			if (result.status !== 200) {
				counts.refused++;
				res.writeHead(result.status).end();
				return;
			}
			const work = queue.then(async () => {
				for (const event of result.events) {
					if (isDeliveryStatusEvent(event)) {
						const recorded = await store.recordStatus(statusInputOf(event));
						counts.statuses++;
						if (recorded.settled) counts.settled++;
						if (!recorded.matched) counts.unmatched++;
					} else if (
						event.kind === 'message' &&
						event.phoneNumberId &&
						(event.wa_id || event.from)
					) {
						await store.recordInbound({
							businessNumberId: event.phoneNumberId,
							waId: event.wa_id ?? event.from,
							at: event.timestampMs ?? Date.now(),
							messageId: event.id,
						});
						counts.inbound++;
					}
				}
			});
			queue = work.catch(() => undefined);
			// Answer once recorded, so the sandbox retries what the store did not take.
			work.then(
				() => res.writeHead(200).end('OK'),
				() => res.writeHead(500).end(),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook`,
		counts,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
