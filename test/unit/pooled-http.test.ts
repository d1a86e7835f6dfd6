/**
 * Bulk Campaign's own HTTP path (lib/cloud-api/pooled-http.ts) over real loopback sockets: one keep-alive
 * connection for consecutive requests, the provider's auth header, n8n's proxy variables (HTTP_PROXY through a
 * forward proxy, NO_PROXY straight), and a timeout that names no secret.
 */
import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { pooledHttp } from '../../lib/cloud-api/pooled-http';

const TOKEN = 'EAAG-secret-token-0123456789';

interface Seen {
	url: string;
	headers: IncomingMessage['headers'];
	socket: unknown;
}

async function listen(
	handler: (req: IncomingMessage, res: http.ServerResponse, seen: Seen[]) => void,
): Promise<{ server: Server; url: string; seen: Seen[] }> {
	const seen: Seen[] = [];
	const server = http.createServer((req, res) => {
		seen.push({ url: req.url ?? '', headers: req.headers, socket: req.socket });
		handler(req, res, seen);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: http.ServerResponse, body: unknown) => {
	res.setHeader('content-type', 'application/json');
	res.end(JSON.stringify(body));
};

describe('pooledHttp', () => {
	const saved = {
		HTTP_PROXY: process.env.HTTP_PROXY,
		http_proxy: process.env.http_proxy,
		NO_PROXY: process.env.NO_PROXY,
		no_proxy: process.env.no_proxy,
	};
	afterEach(() => {
		for (const [key, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
	});

	it("reuses one keep-alive connection and sends the provider's auth header and the JSON body", async () => {
		const api = await listen((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () =>
				json(res, {
					echo: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
					method: req.method,
				}),
			);
		});
		const pool = pooledHttp({ provider: 'meta', accessToken: TOKEN });
		try {
			for (let i = 0; i < 10; i++) {
				const response = await pool.http({
					method: 'POST',
					url: `${api.url}/v24.0/1/messages`,
					qs: { n: i },
					body: { to: `+5491155550${i}` },
				});
				expect(response).toEqual({
					status: 200,
					body: { echo: { to: `+5491155550${i}` }, method: 'POST' },
				});
			}
			expect(new Set(api.seen.map((request) => request.socket)).size).toBe(1);
			expect(api.seen[3].url).toBe('/v24.0/1/messages?n=3');
			expect(api.seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
			const d360 = pooledHttp({ provider: '360dialog', accessToken: TOKEN });
			await d360.http({ method: 'GET', url: `${api.url}/health_status` });
			d360.close();
			expect(api.seen[10].headers['d360-api-key']).toBe(TOKEN);
			expect(api.seen[10].headers.authorization).toBeUndefined();
		} finally {
			pool.close();
			api.server.close();
		}
	});

	it("sends raw bytes (a multipart media upload) as they are, with the caller's content type", async () => {
		let received: { type?: string; length?: string; body?: string } = {};
		const api = await listen((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				received = {
					type: req.headers['content-type'],
					length: req.headers['content-length'],
					body: Buffer.concat(chunks).toString('latin1'),
				};
				json(res, { id: 'media-1' });
			});
		});
		const pool = pooledHttp({ provider: 'meta', accessToken: TOKEN });
		const bytes = Buffer.from(
			'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\n\x00\xff%PDF\r\n--b--\r\n',
			'latin1',
		);
		try {
			const response = await pool.http({
				method: 'POST',
				url: `${api.url}/v24.0/1/media`,
				body: bytes,
				headers: { 'content-type': 'multipart/form-data; boundary=b' },
			});
			expect(response).toEqual({ status: 200, body: { id: 'media-1' } });
			expect(received).toEqual({
				type: 'multipart/form-data; boundary=b',
				length: String(bytes.length),
				body: bytes.toString('latin1'),
			});
			expect(api.seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
		} finally {
			pool.close();
			api.server.close();
		}
	});

	it('goes through HTTP_PROXY like n8n, and straight to hosts in NO_PROXY', async () => {
		const proxy = await listen((_req, res) => json(res, { via: 'proxy' }));
		const direct = await listen((_req, res) => json(res, { via: 'direct' }));
		process.env.HTTP_PROXY = proxy.url;
		delete process.env.http_proxy;
		process.env.NO_PROXY = '127.0.0.1';
		delete process.env.no_proxy;
		const pool = pooledHttp({ provider: 'meta', accessToken: TOKEN });
		try {
			const viaProxy = await pool.http({
				method: 'GET',
				url: 'http://graph.example.test/v24.0/1000000001',
				qs: { fields: 'id' },
			});
			expect(viaProxy.body).toEqual({ via: 'proxy' });
			// A forward proxy gets the absolute URL; the auth header travels to it as it would to Meta.
			expect(proxy.seen[0].url).toBe('http://graph.example.test/v24.0/1000000001?fields=id');
			expect(proxy.seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
			const straight = await pool.http({ method: 'GET', url: `${direct.url}/v24.0/1000000001` });
			expect(straight.body).toEqual({ via: 'direct' });
			expect(proxy.seen).toHaveLength(1);
		} finally {
			pool.close();
			proxy.server.close();
			direct.server.close();
		}
	});

	it('gives up after the timeout with an error that names no secret', async () => {
		const silent = await listen(() => undefined);
		const pool = pooledHttp({ provider: 'meta', accessToken: TOKEN });
		try {
			const error = (await pool
				.http({ method: 'POST', url: `${silent.url}/v24.0/1/messages`, body: {}, timeoutMs: 200 })
				.catch((caught: Error) => caught)) as Error;
			expect(error).toBeInstanceOf(Error);
			expect(error.message).toMatch(/timeout/);
			expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(TOKEN);
		} finally {
			pool.close();
			silent.server.closeAllConnections();
			silent.server.close();
		}
	});
});
