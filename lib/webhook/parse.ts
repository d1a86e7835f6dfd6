/**
 * Raw webhook bytes → a WhatsApp payload, or a reason why not. Checks only the envelope
 * (`object: "whatsapp_business_account"` with an `entry` array); everything inside is read defensively by
 * normalise.ts. Total: returns a result for any input, never throws.
 */
import type { JsonObject } from './read';
import { isBytes } from './signature';

export type ParseFailure = 'empty' | 'not-json' | 'not-whatsapp';

/** The envelope; entries are unknown until normalised (see WaPayload in types.ts for their documented shape). */
export interface WebhookPayload {
	object: 'whatsapp_business_account';
	entry: unknown[];
	[key: string]: unknown;
}

export type ParseResult =
	| { ok: true; payload: WebhookPayload }
	| { ok: false; reason: ParseFailure; message: string };

export const WHATSAPP_OBJECT = 'whatsapp_business_account';

const MESSAGES: Record<ParseFailure, string> = {
	empty: 'The webhook body is empty: Meta always sends a JSON body.',
	'not-json': 'The webhook body is not valid JSON (UTF-8).',
	'not-whatsapp':
		'The webhook body is JSON but not a WhatsApp Business Account webhook (object "whatsapp_business_account" with an "entry" array).',
};

function fail(reason: ParseFailure): ParseResult {
	return { ok: false, reason, message: MESSAGES[reason] };
}

/** The raw body → a WhatsApp webhook payload, or why it is not one. Never throws. */
export function parseWebhook(rawBody: Buffer | Uint8Array | string): ParseResult {
	let text: string;
	try {
		if (typeof rawBody === 'string') text = rawBody;
		else if (isBytes(rawBody))
			text = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString('utf8');
		else return fail('empty');
	} catch {
		return fail('not-json'); // larger than the biggest string V8 can hold
	}
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 BOM is not JSON, but harmless
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return fail(text.trim().length === 0 ? 'empty' : 'not-json');
	}
	return isEnvelope(parsed) ? { ok: true, payload: parsed } : fail('not-whatsapp');
}

/** A JSON object with `object: "whatsapp_business_account"` and an `entry` array. */
export function isEnvelope(value: unknown): value is WebhookPayload {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
	const envelope = value as JsonObject;
	return envelope.object === WHATSAPP_OBJECT && Array.isArray(envelope.entry);
}
