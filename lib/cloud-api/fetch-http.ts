import { authHeaders } from './endpoints';
import type { CloudApiCredentials, HttpCaller } from './types';

/**
 * An HttpCaller on Node's fetch, for code that runs outside n8n (the demo, benchmarks, the sandbox CLI).
 * Inside n8n the nodes use n8n's httpRequestWithAuthentication instead (see nodes/common/transport.ts).
 */
export function fetchHttp(
	credentials: Pick<CloudApiCredentials, 'provider' | 'accessToken'>,
	defaults: { timeoutMs?: number } = {},
): HttpCaller {
	const auth = authHeaders(credentials.provider, credentials.accessToken);
	return async (request) => {
		const url = new URL(request.url);
		for (const [key, value] of Object.entries(request.qs ?? {}))
			url.searchParams.set(key, String(value));
		const raw = Buffer.isBuffer(request.body);
		const response = await fetch(url, {
			method: request.method,
			headers: {
				...(request.body !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
				...request.headers,
				...auth,
			},
			body: raw
				? (request.body as Buffer)
				: request.body !== undefined
					? JSON.stringify(request.body)
					: undefined,
			signal: AbortSignal.timeout(request.timeoutMs ?? defaults.timeoutMs ?? 30_000),
		});
		const text = await response.text();
		let body: unknown = text;
		try {
			body = text === '' ? undefined : JSON.parse(text);
		} catch {
			// keep the text: the client reports a non-JSON answer by its status
		}
		return { status: response.status, body };
	};
}
