'use strict';
/** The sandbox's HTTP control API (`/_sandbox/...`, see sandbox/server.ts), as the demo drives it. */

function createSandboxClient(baseUrl) {
	async function call(method, route, body) {
		const response = await fetch(`${baseUrl}/_sandbox${route}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const text = await response.text();
		let parsed;
		try {
			parsed = text ? JSON.parse(text) : {};
		} catch {
			parsed = { error: { message: text } };
		}
		if (!response.ok) {
			const message = (parsed.error && parsed.error.message) || text;
			throw new Error(
				`sandbox ${method} /_sandbox${route} answered ${response.status}: ${message}`,
			);
		}
		return parsed;
	}

	return {
		baseUrl,
		info: () => call('GET', ''),
		/** One phrase of the sandbox's little language: "contact +54 9 11 5555 1234 named Emilia says hola". */
		say: (phrase) => call('POST', '/say', { phrase }),
		setWebhookUrl: (url) => call('POST', '/webhook', { url }),
		/** Every accepted message, or those to one wa_id. */
		ledger: async (to) =>
			(await call('GET', to ? `/ledger?to=${encodeURIComponent(to)}` : '/ledger')).messages,
		duplicates: async () => (await call('GET', '/ledger/duplicates')).duplicates,
		rejections: async () => (await call('GET', '/ledger/rejections')).rejections,
		stats: () => call('GET', '/stats'),
		contact: async (waId) =>
			(await call('GET', '/contacts')).contacts.find((contact) => contact.waId === waId),
		/** Resolves when every webhook the sandbox owes has been delivered (or given up). */
		webhooksIdle: (timeoutMs = 60_000) => call('POST', '/webhooks/idle', { timeoutMs }),
		configure: (settings) => call('POST', '/settings', settings),
	};
}

module.exports = { createSandboxClient };
