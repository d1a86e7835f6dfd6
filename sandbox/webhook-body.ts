/**
 * The bytes of a webhook POST exactly as Meta sends them (docs/meta-cloud-api.md, "Webhook bodies"):
 *
 * - Non-ASCII text is escaped as `\uXXXX` with lowercase hex (characters outside the BMP as two escaped
 *   surrogates), and the X-Hub-Signature-256 HMAC is computed over those escaped bytes. A receiver that hashes
 *   the raw body verifies; one that re-encodes parsed JSON as UTF-8 does not, as with Meta.
 * - Account-level changes (template status and category updates) come in an entry that carries `time`, the
 *   Unix seconds at which the webhook was triggered; message changes come in an entry without it.
 */
import type { WebhookChange } from './events';

/** Fields whose entry carries `time` in Meta's webhook reference. */
export const TIMED_ENTRY_FIELDS: ReadonlySet<string> = new Set([
	'message_template_status_update',
	'template_category_update',
]);

const NON_ASCII = /[\u0080-\uffff]/g;

/** JSON.stringify, then every non-ASCII UTF-16 code unit as `\uXXXX` (lowercase hex), as Meta serialises. */
export function metaJson(value: unknown): string {
	return JSON.stringify(value).replace(
		NON_ASCII,
		(char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

/** `{ object, entry }` for one POST: message-level changes in one entry, account-level ones (with `time`) in another. */
export function webhookEnvelope(
	wabaId: string,
	changes: WebhookChange[],
	nowMs = Date.now(),
): Record<string, unknown> {
	const plain = changes.filter((change) => !TIMED_ENTRY_FIELDS.has(change.field));
	const timed = changes.filter((change) => TIMED_ENTRY_FIELDS.has(change.field));
	const entry: Array<Record<string, unknown>> = [];
	if (plain.length > 0) entry.push({ id: wabaId, changes: plain });
	if (timed.length > 0) entry.push({ id: wabaId, time: Math.floor(nowMs / 1000), changes: timed });
	return { object: 'whatsapp_business_account', entry };
}

/** The POST body: Meta's envelope, Meta's escaping. */
export function webhookBody(wabaId: string, changes: WebhookChange[], nowMs = Date.now()): Buffer {
	return Buffer.from(metaJson(webhookEnvelope(wabaId, changes, nowMs)), 'utf8');
}
