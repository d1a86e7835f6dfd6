/**
 * Authenticating webhook POSTs. Meta signs the raw request bytes with the app secret
 * (`X-Hub-Signature-256: sha256=<hex>`); providers that do not sign (360dialog) are authenticated with a
 * configured shared header instead. Both compare in constant time, and no result or message ever contains
 * the secret, the expected value or the received header.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';

export type VerifyFailure = 'missing' | 'malformed' | 'mismatch';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure; message: string };

/** Headers as Node (and n8n's getHeaderData) give them: lower-case names, string or string[] values. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;

const SIGNATURE_MESSAGES: Record<VerifyFailure, string> = {
	missing:
		'The X-Hub-Signature-256 header is missing: Meta signs every webhook, so this request did not come from Meta (for 360dialog, use the shared-header option instead).',
	malformed:
		'The X-Hub-Signature-256 header is not "sha256=" followed by 64 hex digits: the request did not come from Meta.',
	mismatch:
		"The X-Hub-Signature-256 signature does not match the body: check that the credential's App Secret belongs to the Meta app that sends this webhook.",
};

function fail(reason: VerifyFailure, messages: Record<VerifyFailure, string>): VerifyResult {
	return { ok: false, reason, message: messages[reason] };
}

/** Buffer or Uint8Array, from this realm or another (vm contexts, worker transfers): no instanceof. */
export function isBytes(value: unknown): value is Uint8Array {
	return (
		ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]'
	);
}

/** One header value: undefined when absent, null when it cannot be a single value (repeated header, wrong type). */
function singleValue(value: unknown): string | undefined | null {
	if (value === undefined) return undefined;
	if (Array.isArray(value))
		return value.length === 0 ? undefined : value.length === 1 ? singleValue(value[0]) : null;
	return typeof value === 'string' ? value : null;
}

/**
 * Checks Meta's `X-Hub-Signature-256` over the raw request bytes.
 * Throws (TypeError) only for configuration mistakes — an empty app secret or a body that is not bytes —
 * never because of what the request contains.
 */
export function verifySignature(
	rawBody: Buffer | Uint8Array,
	header: string | readonly string[] | undefined,
	appSecret: string,
): VerifyResult {
	if (typeof appSecret !== 'string' || appSecret.length === 0) {
		throw new TypeError(
			'appSecret is empty: set the App Secret (Meta App Dashboard → App settings → Basic) in the WhatsApp HSM Cloud API credential.',
		);
	}
	if (!isBytes(rawBody)) {
		throw new TypeError(
			'rawBody must be the raw request bytes (a Buffer), not parsed JSON: a re-serialised body never matches the signature.',
		);
	}
	const value = singleValue(header);
	if (value === undefined || (typeof value === 'string' && value.trim() === ''))
		return fail('missing', SIGNATURE_MESSAGES);
	if (value === null) return fail('malformed', SIGNATURE_MESSAGES);
	const match = SIGNATURE_FORMAT.exec(value.trim());
	if (!match) return fail('malformed', SIGNATURE_MESSAGES);
	const received = Buffer.from(match[1], 'hex');
	const expected = createHmac('sha256', appSecret).update(rawBody).digest();
	// Both are 32 bytes (the regex fixes the length), as timingSafeEqual requires.
	return timingSafeEqual(expected, received) ? { ok: true } : fail('mismatch', SIGNATURE_MESSAGES);
}

/** Case-insensitive header lookup (Node lower-cases names, but hand-built maps may not). */
export function getHeader(headers: HeaderMap | undefined, name: string): unknown {
	if (!headers || typeof headers !== 'object') return undefined;
	const lower = name.toLowerCase();
	if (Object.prototype.hasOwnProperty.call(headers, lower)) return headers[lower];
	for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
	return undefined;
}

/**
 * Equality of two secrets in constant time, whatever their lengths: both are hashed first, so the
 * comparison always runs on 32 bytes and does not reveal the expected length.
 */
export function constantTimeEqual(a: string, b: string): boolean {
	const da = createHash('sha256').update(a, 'utf8').digest();
	const db = createHash('sha256').update(b, 'utf8').digest();
	return timingSafeEqual(da, db);
}

/**
 * For providers that do not sign webhooks (360dialog): the request must carry header `name` with exactly
 * `expected` (configured on the provider's webhook, e.g. `POST /v1/configs/webhook {url, headers}`).
 */
export function verifySharedHeader(
	headers: HeaderMap | undefined,
	name: string,
	expected: string,
): VerifyResult {
	if (typeof name !== 'string' || name.trim() === '') {
		throw new TypeError(
			'The shared header name is empty: set "Header Name" in the trigger options (e.g. X-Webhook-Token).',
		);
	}
	if (typeof expected !== 'string' || expected.length === 0) {
		throw new TypeError(
			'The shared header value is empty: set "Header Value" in the trigger options to a long random string.',
		);
	}
	const header = name.trim();
	const messages: Record<VerifyFailure, string> = {
		missing: `The ${header} header is missing: configure it on the provider's webhook (360dialog: POST /v1/configs/webhook with headers).`,
		malformed: `The ${header} header was sent more than once or is not text.`,
		mismatch: `The ${header} header does not match the value configured in the trigger.`,
	};
	const value = singleValue(getHeader(headers, header));
	if (value === undefined) return fail('missing', messages);
	if (value === null) return fail('malformed', messages);
	return constantTimeEqual(value, expected) ? { ok: true } : fail('mismatch', messages);
}
