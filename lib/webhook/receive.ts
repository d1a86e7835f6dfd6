/**
 * The POST entry point as an HTTP-shaped decision: authenticate (401), parse (400), normalise (200).
 * The node answers with `status` and, on 200, turns `events` into items after answering.
 */
import { normaliseEvents } from './normalise';
import { isEnvelope, parseWebhook, type ParseFailure, type WebhookPayload } from './parse';
import {
	SIGNATURE_HEADER,
	getHeader,
	verifySharedHeader,
	verifySignature,
	type HeaderMap,
	type VerifyFailure,
} from './signature';
import type { WebhookEvent } from './types';

/** Meta (and the sandbox) sign with the app secret; 360dialog does not sign, so a shared header is checked instead. */
export type WebhookAuth =
	| { mode: 'signature'; appSecret: string }
	| { mode: 'shared-header'; headerName: string; headerValue: string };

/** A webhook request as received: the raw bytes and the headers. */
export interface WebhookRequest {
	/** The request bytes exactly as received (n8n: this.getRequestObject().rawBody) */
	rawBody: Buffer | Uint8Array;
	headers: HeaderMap;
	/**
	 * The body as the HTTP server already parsed it from those bytes (n8n: `request.body`). Used instead of parsing
	 * `rawBody` again when it is a WhatsApp envelope: a 1,000-status POST is then parsed once, not twice.
	 */
	parsedBody?: unknown;
}

export type ReceiveResult =
	| { status: 200; payload: WebhookPayload; events: WebhookEvent[] }
	| { status: 401; reason: VerifyFailure; message: string }
	| { status: 400; reason: ParseFailure; message: string };

/** Throws only for configuration mistakes (empty secret, body not bytes), never because of the request's content. */
export function receiveWebhook(request: WebhookRequest, auth: WebhookAuth): ReceiveResult {
	const verified =
		auth.mode === 'signature'
			? verifySignature(
					request.rawBody,
					getHeader(request.headers, SIGNATURE_HEADER) as string | undefined,
					auth.appSecret,
				)
			: verifySharedHeader(request.headers, auth.headerName, auth.headerValue);
	if (!verified.ok) return { status: 401, reason: verified.reason, message: verified.message };
	const parsed = isEnvelope(request.parsedBody)
		? { ok: true as const, payload: request.parsedBody }
		: parseWebhook(request.rawBody);
	if (!parsed.ok) return { status: 400, reason: parsed.reason, message: parsed.message };
	return { status: 200, payload: parsed.payload, events: normaliseEvents(parsed.payload) };
}
