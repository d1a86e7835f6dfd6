/**
 * Deduplication keys. Meta retries failed deliveries for days and sends one copy per subscribed app, so the
 * same event arrives more than once; the trigger drops an event whose key the store has already seen.
 *
 * - message: `message:<wamid>`
 * - status: `status:<wamid>:<status>` (sent, delivered and read of one message are three events)
 * - (an ID longer than 128 characters or not printable ASCII is replaced by `#<hash>`)
 * - other (and any message / status without an ID): `<kind>:<field>:<hash>`, a SHA-256 of a canonical
 *   form (sorted keys) of the WABA, time and narrowed change value, so a retried payload gives the same key
 *   whatever the key order Meta serialised it in.
 */
import { createHash } from 'node:crypto';
import type { WebhookEvent } from './types';

class Token {
	constructor(readonly text: string) {}
}

/**
 * JSON with object keys sorted. Iterative, not recursive: JSON.parse accepts nesting deep enough to
 * overflow the stack of a recursive walk (and of JSON.stringify), and a webhook body must never crash us.
 */
export function canonicalJson(value: unknown): string {
	const out: string[] = [];
	const stack: unknown[] = [value];
	while (stack.length > 0) {
		const item = stack.pop();
		if (item instanceof Token) {
			out.push(item.text);
		} else if (Array.isArray(item)) {
			stack.push(new Token(']'));
			for (let i = item.length - 1; i >= 0; i--) {
				stack.push(item[i] === undefined ? null : item[i]);
				if (i > 0) stack.push(new Token(','));
			}
			stack.push(new Token('['));
		} else if (item !== null && typeof item === 'object') {
			const record = item as Record<string, unknown>;
			const keys = Object.keys(record)
				.filter((key) => record[key] !== undefined)
				.sort();
			stack.push(new Token('}'));
			for (let i = keys.length - 1; i >= 0; i--) {
				stack.push(record[keys[i]]);
				stack.push(new Token(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`));
			}
			stack.push(new Token('{'));
		} else if (typeof item === 'string' || typeof item === 'boolean') {
			out.push(JSON.stringify(item));
		} else if (typeof item === 'number') {
			out.push(Number.isFinite(item) ? String(item) : 'null');
		} else {
			out.push('null'); // null, undefined in arrays, functions: JSON has no such values
		}
	}
	return out.join('');
}

function hash(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 32);
}

const PLAIN_PART = /^[\x21-\x7e]{1,128}$/;

/** IDs are used as they are when short and printable (wamids are); anything else is hashed to keep keys bounded. */
function part(value: string): string {
	return PLAIN_PART.test(value) ? value : `#${hash(value)}`;
}

/**
 * The key that makes Meta's retries and duplicates of one event the same: `message:<wamid>`,
 * `status:<wamid>:<status>`, or a hash of the event.
 */
export function dedupKey(event: WebhookEvent): string {
	if (event.kind === 'message' && event.id) return `message:${part(event.id)}`;
	if (event.kind === 'status' && event.id && event.status)
		return `status:${part(event.id)}:${part(event.status)}`;
	const content = canonicalJson([
		event.wabaId ?? null,
		event.phoneNumberId ?? null,
		event.timestampMs ?? null,
		event.raw,
	]);
	return `${event.kind}:${part(event.field)}:${hash(content)}`;
}
