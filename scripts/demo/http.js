'use strict';
/**
 * Requests that start something in n8n (a webhook, a form submission) on a new connection each: fetch reuses
 * idle keep-alive sockets, and on a loaded machine n8n may close one just as it is reused, failing the request
 * before any answer — a GET can be repeated (rest.js does), a POST that starts an execution cannot.
 */
const http = require('node:http');
const https = require('node:https');

/**
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: Buffer | string, timeoutMs?: number }} [options]
 * @returns {Promise<{ status: number, text: string }>}
 */
function request(url, { method = 'GET', headers = {}, body, timeoutMs = 60_000 } = {}) {
	const target = new URL(url);
	const client = target.protocol === 'https:' ? https : http;
	return new Promise((resolve, reject) => {
		const req = client.request(
			target,
			{
				method,
				headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) },
				agent: false,
			},
			(res) => {
				const chunks = [];
				res.on('data', (chunk) => chunks.push(chunk));
				res.on('end', () =>
					resolve({ status: res.statusCode || 0, text: Buffer.concat(chunks).toString('utf8') }),
				);
				res.on('error', reject);
			},
		);
		req.setTimeout(timeoutMs, () =>
			req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs / 1000} s`)),
		);
		req.on('error', (error) =>
			reject(new Error(`${method} ${url} failed: ${error.message}`, { cause: error })),
		);
		req.end(body);
	});
}

/** A JSON POST. */
function postJson(url, value) {
	return request(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(value ?? {}),
	});
}

/** A multipart/form-data POST of a FormData, encoded the way fetch would send it. */
async function postForm(url, form) {
	const encoded = new Request(url, { method: 'POST', body: form });
	const body = Buffer.from(await encoded.arrayBuffer());
	return request(url, {
		method: 'POST',
		headers: { 'content-type': encoded.headers.get('content-type') },
		body,
	});
}

module.exports = { request, postJson, postForm };
