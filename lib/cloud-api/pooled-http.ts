/**
 * The campaign's own HTTP path: one keep-alive connection pool per campaign run, the auth header computed once,
 * no per-request credential read. n8n's httpRequestWithAuthentication decrypts the credential, runs its
 * `authenticate` and builds an axios request for every call; at 1,000 msg/s that is most of n8n's CPU.
 *
 * It honours the same proxy variables as n8n (HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY, read by
 * `proxy-from-env` as n8n's own HTTP stack does, through `http-proxy-agent` / `https-proxy-agent`).
 * The token only ever goes into the request header: errors carry Node's message, never the headers.
 */
import http from 'node:http';
import https from 'node:https';

import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

import { authHeaders } from './endpoints';
import type { CloudApiCredentials, HttpCaller } from './types';

/** Sockets per origin: 1,000 msg/s at Meta's ~100-300 ms answer time needs a few hundred requests in flight. */
const MAX_SOCKETS = 512;
/** Idle sockets are dropped before the usual 5 s server keep-alive ends, so a reused socket is rarely a dead one. */
const FREE_SOCKET_TIMEOUT_MS = 4_000;

/** An HttpCaller over its own keep-alive pool, and how to close it. */
export interface PooledHttp {
	http: HttpCaller;
	/** Closes the pool's sockets (end of the campaign run). */
	close(): void;
}

/** An HttpCaller with its own keep-alive pool; call close() when the run ends. */
export function pooledHttp(
	credentials: Pick<CloudApiCredentials, 'provider' | 'accessToken'>,
	defaults: { timeoutMs?: number } = {},
): PooledHttp {
	const auth = authHeaders(credentials.provider, credentials.accessToken);
	const agents = new Map<string, http.Agent>();
	const options = { keepAlive: true, maxSockets: MAX_SOCKETS, timeout: FREE_SOCKET_TIMEOUT_MS };

	/** One agent per (scheme, proxy): NO_PROXY can send some hosts direct and others through the proxy. */
	// The proxy decision per origin, once per run: proxy-from-env reads and parses the environment on every
	// call (4 % of n8n's CPU at 1,000 msg/s).
	const proxies = new Map<string, string>();
	function agentFor(url: URL): http.Agent {
		let proxy = proxies.get(url.origin);
		if (proxy === undefined) {
			proxy = getProxyForUrl(url.href) || '';
			proxies.set(url.origin, proxy);
		}
		const key = `${url.protocol}${proxy}`;
		let agent = agents.get(key);
		if (!agent) {
			if (url.protocol === 'https:')
				agent = proxy ? new HttpsProxyAgent(proxy, options) : new https.Agent(options);
			else agent = proxy ? new HttpProxyAgent(proxy, options) : new http.Agent(options);
			agents.set(key, agent);
		}
		return agent;
	}

	const caller: HttpCaller = (request) =>
		new Promise((resolve, reject) => {
			const url = new URL(request.url);
			for (const [key, value] of Object.entries(request.qs ?? {}))
				url.searchParams.set(key, String(value));
			// Raw bytes (a media upload's multipart body) go as they are, with the caller's content type.
			const raw = Buffer.isBuffer(request.body);
			const body = raw
				? (request.body as Buffer)
				: request.body !== undefined
					? Buffer.from(JSON.stringify(request.body))
					: undefined;
			const headers: Record<string, string | number> = {
				accept: 'application/json',
				...(body && !raw ? { 'content-type': 'application/json' } : {}),
				...request.headers,
				...auth,
			};
			if (body) headers['content-length'] = body.length;
			const client = url.protocol === 'https:' ? https : http;
			const timeoutMs = request.timeoutMs ?? defaults.timeoutMs ?? 30_000;
			let timer: NodeJS.Timeout | undefined;
			const req = client.request(
				url,
				{ method: request.method, headers, agent: agentFor(url) },
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('error', fail);
					response.on('end', () => {
						clearTimeout(timer);
						const text = Buffer.concat(chunks).toString('utf8');
						let parsed: unknown = text;
						try {
							parsed = text === '' ? undefined : JSON.parse(text);
						} catch {
							// keep the text: the client reports a non-JSON answer by its status
						}
						resolve({ status: response.statusCode ?? 0, body: parsed });
					});
				},
			);
			function fail(error: Error) {
				clearTimeout(timer);
				reject(error);
			}
			req.on('error', fail);
			if (timeoutMs > 0)
				timer = setTimeout(
					() => req.destroy(new Error(`timeout: no answer within ${timeoutMs} ms`)),
					timeoutMs,
				);
			req.end(body);
		});

	return {
		http: caller,
		close() {
			for (const agent of agents.values()) agent.destroy();
			agents.clear();
		},
	};
}
