import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

/** A loopback HTTP server that records every request and answers 200 with a fixed JSON body. */
export async function startRecordingServer(
	answer: unknown,
): Promise<{ url: string; requests: RecordedRequest[]; stop: () => Promise<void> }> {
	const requests: RecordedRequest[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			requests.push({
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			});
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(answer));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		stop: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				// n8n keeps its HTTP connections alive; close() alone would wait for them to time out.
				server.closeAllConnections();
			}),
	};
}
