/**
 * `biz_opaque_callback_data`: a string the send and campaign nodes attach to each outgoing message and
 * that Meta echoes back in every status webhook of that message. It is how a status finds its campaign
 * recipient without a lookup table.
 *
 * Format (version 1), ASCII, at most 512 characters (Meta's limit):
 *
 *     v1;c=<campaignId>;r=<recipient>;ref=<ref>
 *
 * - `v1` marks the string as ours, so callback data set by other tools is left alone (decode → undefined).
 * - Each part is optional and omitted when absent; values are percent-encoded (encodeURIComponent), so
 *   `;`, `=` and any Unicode are safe. Unknown keys are ignored when decoding (room for later versions).
 * - `c` campaign ID, `r` the recipient key inside the campaign (as the campaign node stored it),
 *   `ref` a free reference (e.g. the query ID of a recontact-once send).
 */

/** What `biz_opaque_callback_data` carries back in status webhooks. */
export interface CallbackData {
	campaignId?: string;
	recipient?: string;
	ref?: string;
}

export const CALLBACK_DATA_MAX_LENGTH = 512;
const VERSION = 'v1';
const KEYS: ReadonlyArray<[keyof CallbackData, string]> = [
	['campaignId', 'c'],
	['recipient', 'r'],
	['ref', 'ref'],
];

/** Builds the callback string; throws a RangeError naming the fields when it would exceed 512 characters. */
export function encodeCallbackData(data: CallbackData): string {
	let out = VERSION;
	for (const [field, key] of KEYS) {
		const value = data[field];
		if (value === undefined || value === '') continue;
		if (typeof value !== 'string')
			throw new TypeError(`callback data field "${field}" must be a string`);
		out += `;${key}=${encodeURIComponent(value)}`;
	}
	if (out.length > CALLBACK_DATA_MAX_LENGTH) {
		throw new RangeError(
			`biz_opaque_callback_data would be ${out.length} characters (Meta allows ${CALLBACK_DATA_MAX_LENGTH}): shorten the campaign ID, recipient key or reference`,
		);
	}
	return out;
}

/** Reads a callback string written by encodeCallbackData; undefined for anything else (never throws). */
export function decodeCallbackData(value: unknown): CallbackData | undefined {
	if (typeof value !== 'string' || value.length > CALLBACK_DATA_MAX_LENGTH) return undefined;
	const parts = value.split(';');
	if (parts[0] !== VERSION) return undefined;
	const result: CallbackData = {};
	for (let i = 1; i < parts.length; i++) {
		const part = parts[i];
		const eq = part.indexOf('=');
		if (eq <= 0) return undefined;
		const key = part.slice(0, eq);
		const entry = KEYS.find(([, k]) => k === key);
		if (!entry || result[entry[0]] !== undefined) continue;
		const encoded = part.slice(eq + 1);
		try {
			// Most values (campaign IDs, wa_IDs) hold no escape: skip the decoder for them.
			result[entry[0]] = encoded.includes('%') ? decodeURIComponent(encoded) : encoded;
		} catch {
			return undefined; // broken percent-encoding: not something we wrote
		}
	}
	return result;
}
