/**
 * The WhatsApp Cloud API sandbox: a real HTTP server on loopback that speaks the Graph API subset this
 * package uses and behaves like Meta, refusals included. Tests, the demo and users rehearse against it.
 *
 *   const sandbox = await startSandbox({ webhookUrl: 'http://127.0.0.1:5678/webhook/wa' });
 *   // credential: provider Sandbox, base URL sandbox.url, token 'sandbox-token',
 *   //             phone number id '1000000001', WABA id '2000000001', app secret 'sandbox-app-secret'
 *   sandbox.control.say('contact +54 9 11 5555 1234 named Emilia says hola');
 *   ... send ...
 *   sandbox.control.say('Emilia taps Confirm');
 *   await sandbox.control.flushWebhooks();
 *   expect(sandbox.control.ledger.duplicates()).toEqual([]);
 *   await sandbox.stop();
 *
 * Stable API (other parts of the package build on it):
 *
 * startSandbox(options?: SandboxOptions) → Promise<{ url, stop(), control: SandboxControl }>
 *   options: port (0 = free), host ('127.0.0.1'), accessToken ('sandbox-token'), d360ApiKey ('sandbox-d360-key'),
 *   phoneNumberId ('1000000001'), wabaId ('2000000001'), displayPhoneNumber ('+54 11 4000 1000'), verifiedName,
 *   appSecret ('sandbox-app-secret', signs webhooks), appId, webhookUrl, catalogue (MessageTemplate[] or a JSON
 *   file path; default sandbox/catalogue.json), throughputMps (80; Meta allows up to 1,000; more only for load
 *   tests), pairRate ({burst 45, perSecond 1/6}), qualityRating ('GREEN'), messagingLimitTier ('TIER_UNLIMITED'),
 *   latency ({minMs,maxMs} | {medianMs,p99Ms,maxMs?}), statusDelayMs (100), readRate (1),
 *   undeliverableAs ('error' | 'status'), faults (Partial<SandboxFaults>), seed.
 *
 * HTTP, Graph API (Authorization: Bearer <accessToken>, or ?access_token=):
 *   POST   /{version}/{phoneNumberId}/messages          templates and free-form messages
 *   GET    /{version}/{phoneNumberId}?fields=...        throughput, quality_rating, whatsapp_business_manager_messaging_limit, ...
 *   GET    /{version}/{wabaId}/message_templates        fields, limit, after/before, name/status/category/language filters
 *   GET    /{version}/{wabaId}/phone_numbers, GET /{version}/{wabaId}
 *   GET|POST|DELETE /{version}/{wabaId}/subscribed_apps (POST override_callback_uri + verify_token runs Meta's handshake)
 * HTTP, 360dialog (D360-API-KEY: <d360ApiKey>): POST /messages, GET /v1/configs/templates, GET|POST /v1/configs/webhook
 * HTTP, control (no auth; loopback by default): /_sandbox/... mirrors SandboxControl (see server.ts for the routes).
 *
 * Refusals answer Meta's error body {"error":{message,type,code,error_data:{messaging_product,details},fbtrace_id}}:
 *   401/190 wrong token (401/104 none), 100 and 131009 invalid `to`, 131021 to = own number, 130429 throughput,
 *   131056 pair rate, 131047 free-form outside 24 h, 131050 marketing to an opted-out user, 131026 not on WhatsApp,
 *   132001 unknown / not approved in that language, 132015 PAUSED, 132016 DISABLED, 132000 parameter count,
 *   132012 parameter format, 100 named vs positional and text with newlines / tabs / > 4 spaces, 131009 / 132005 too long.
 *
 * Webhooks (X-Hub-Signature-256 = HMAC-SHA256 of the raw body with appSecret), Meta's payload shape:
 *   sent → delivered → read (or failed with errors) per accepted message, with biz_opaque_callback_data and pricing;
 *   inbound messages, button replies, referrals; user_preferences; message_template_status_update.
 *   Several changes per POST when many are due; the same bytes are retried with backoff on non-2xx.
 */
import type { AddressInfo } from 'node:net';

import { createControl, type SandboxControl } from './control';
import { DEFAULTS, type SandboxOptions } from './options';
import { Sandbox } from './sandbox';
import { createSandboxServer } from './server';

export type { SandboxControl, LedgerView, PhraseResult } from './control';
export type { LedgerEntry, Rejection, DuplicateGroup, DeliveryStatus } from './ledger';
export type {
	SandboxOptions,
	SandboxFaults,
	SandboxSettings,
	LatencySpec,
	WebhookRetryPolicy,
} from './options';
export type { InboundEvent, InboundResult, Referral, Subscription } from './sandbox';
export type { DeliveryRecord } from './outbox';
export type { ContactState } from './contacts';
export type { WebhookChange } from './events';
export { DEFAULTS as SANDBOX_DEFAULTS } from './options';
export { DEFAULT_CATALOGUE_PATH, loadCatalogueFile } from './template-catalogue';
export { ERRORS as SANDBOX_ERRORS } from './errors';
export { parsePhrase } from './phrases';

export interface RunningSandbox {
	/** Base URL without trailing slash, e.g. http://127.0.0.1:4010 (the credential's base URL) */
	url: string;
	/** Closes the server (cutting hung requests and idle keep-alive connections) and drops pending webhooks */
	stop(): Promise<void>;
	control: SandboxControl;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
	const sandbox = new Sandbox(options);
	const control = createControl(sandbox);
	const server = createSandboxServer(sandbox, control);
	const host = options.host ?? DEFAULTS.host;
	const port = options.port ?? 0;
	if (!Number.isInteger(port) || port < 0 || port > 65_535)
		throw new Error(`port must be an integer from 0 to 65535, got ${port}`);
	await new Promise<void>((resolve, reject) => {
		server.once('error', (error: NodeJS.ErrnoException) => {
			sandbox.close();
			reject(
				error.code === 'EADDRINUSE'
					? new Error(
							`port ${port} on ${host} is already in use; pick another (--port) or 0 for a free one`,
						)
					: error,
			);
		});
		server.listen(port, host, () => resolve());
	});
	const address = server.address() as AddressInfo;
	const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	let stopped: Promise<void> | undefined;
	return {
		url: `http://${shownHost}:${address.port}`,
		control,
		stop: () => {
			stopped ??= new Promise<void>((resolve) => {
				sandbox.close();
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return stopped;
		},
	};
}
