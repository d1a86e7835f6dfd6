/**
 * Turns one value given for one slot into the Graph API parameter, or says what is wrong with it.
 *
 * Value kinds accepted (explicit on purpose, no guessing):
 * - text slots: a string, a number or a boolean (numbers and booleans are written as text);
 * - body slots also: a currency `{ fallback_value, code, amount_1000 }`, a date_time `{ fallback_value }`,
 *   or Meta's own parameter objects `{ type: 'currency', currency: {...} }` / `{ type: 'date_time', date_time:
 * {...} }` /
 *   `{ type: 'text', text }`. A string such as "USD 12.50" stays text: use currency() to build a currency value;
 * - media: an https link, a media ID (digits), `{ link }` / `{ id }`, or — when the caller can read files — the name
 *   of a binary property of the item ("data") or n8n's binary object itself, uploaded before the send;
 * - coordinates: a number or a numeric string; flow data: an object or a JSON object string.
 */

import { checkMediaFile, type MediaFile } from '../media/file';
import { templateRules } from './message-rules';
import type { TemplateSlot } from './slots';

/** A currency value for a body slot (build one with currency()). */
export interface CurrencyValue {
	fallback_value: string;
	/** ISO 4217, e.g. USD */
	code: string;
	/** Amount multiplied by 1000, an integer: 12.50 → 12500 */
	amount_1000: number;
}

/** A date_time value for a body slot. */
export interface DateTimeValue {
	fallback_value: string;
}

/** A media value: a link or an uploaded media ID. */
export interface MediaRef {
	link?: string;
	id?: string;
	filename?: string;
}

export type GraphParameter =
	| { type: 'text'; parameter_name?: string; text: string }
	| { type: 'currency'; parameter_name?: string; currency: CurrencyValue }
	| { type: 'date_time'; parameter_name?: string; date_time: DateTimeValue }
	| { type: 'image'; image: MediaRef }
	| { type: 'video'; video: MediaRef }
	| { type: 'document'; document: MediaRef }
	| {
			type: 'location';
			location: { latitude: number; longitude: number; name: string; address: string };
	  }
	| { type: 'payload'; payload: string }
	| { type: 'coupon_code'; coupon_code: string }
	| { type: 'action'; action: { flow_token: string; flow_action_data?: Record<string, unknown> } }
	| { type: 'action'; action: { thumbnail_product_retailer_id: string } };

export type Checked<T> = { ok: true; value: T; shown: string } | { ok: false; message: string };

/** Builds a currency value: currency('USD', 12.5) → { fallback_value: '$12.50', code: 'USD', amount_1000: 12500 }. */
export function currency(code: string, amount: number, fallbackValue?: string): CurrencyValue {
	const upper = code.toUpperCase();
	const fallback =
		fallbackValue ??
		new Intl.NumberFormat('en-US', { style: 'currency', currency: upper }).format(amount);
	return { fallback_value: fallback, code: upper, amount_1000: Math.round(amount * 1000) };
}

/** Empty means "not given": undefined, null or an empty / blank string. */
export function isEmptyValue(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	// Objects made in another realm (n8n's expression sandbox) have a different Object.prototype.
	const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
	return proto === null || proto === Object.prototype || proto.constructor?.name === 'Object';
}

function describeKind(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value instanceof Date) return 'a date';
	if (typeof value === 'object' && value !== null) {
		// n8n expressions often yield luxon DateTime objects.
		if (typeof (value as { toISO?: unknown }).toISO === 'function') return 'a date';
		return 'an object';
	}
	return `a ${typeof value}`;
}

/** Text-like values: string, number, boolean. */
function asText(slot: TemplateSlot, value: unknown): Checked<string> {
	if (typeof value === 'string') return { ok: true, value, shown: value };
	if (typeof value === 'number') {
		if (!Number.isFinite(value))
			return { ok: false, message: `${fieldName(slot)} is ${value}: give a finite number or text` };
		return { ok: true, value: String(value), shown: String(value) };
	}
	if (typeof value === 'boolean' || typeof value === 'bigint')
		return { ok: true, value: String(value), shown: String(value) };
	const kind = describeKind(value);
	const fix =
		kind === 'a date'
			? "format it as text first, e.g. {{ $now.toFormat('dd/MM/yyyy') }}"
			: 'give text';
	return { ok: false, message: `${fieldName(slot)} is ${kind}: ${fix}` };
}

/** Meta's text rules: no newline, no tab, at most 4 consecutive spaces, a length limit. */
export function checkTextRules(
	field: string,
	text: string,
	maxLength?: number,
): string | undefined {
	for (const rule of templateRules.forbiddenInText) {
		if (rule.pattern.test(text))
			return `${field} contains ${rule.what}, which WhatsApp rejects in template variables: ${rule.fix}`;
	}
	if (maxLength !== undefined && text.length > maxLength) {
		return `${field} is ${text.length} characters; WhatsApp allows ${maxLength}: shorten it`;
	}
	return undefined;
}

function checkedText(
	slot: TemplateSlot,
	value: unknown,
	maxLength: number | undefined,
): Checked<string> {
	const text = asText(slot, value);
	if (!text.ok) return text;
	const broken = checkTextRules(slot.id, text.value, maxLength);
	return broken ? { ok: false, message: broken } : text;
}

/** A body variable: text, currency or date_time. */
export function checkBodyValue(
	slot: TemplateSlot,
	value: unknown,
	textMaxLength: number,
	textOnly: boolean,
): Checked<GraphParameter> {
	const name = slot.parameterName ? { parameter_name: slot.parameterName } : {};
	if (isPlainObject(value) && !textOnly) {
		const typed = typeof value.type === 'string' ? value.type : undefined;
		if (typed === 'text') return checkBodyValue(slot, value.text, textMaxLength, textOnly);
		const currencyValue =
			typed === 'currency'
				? value.currency
				: 'amount_1000' in value || 'code' in value
					? value
					: undefined;
		if (currencyValue !== undefined) return checkCurrency(slot, currencyValue, name);
		const dateValue =
			typed === 'date_time' ? value.date_time : 'fallback_value' in value ? value : undefined;
		if (dateValue !== undefined) return checkDateTime(slot, dateValue, name);
		return {
			ok: false,
			message: `${fieldName(slot)} is an object with neither currency fields {fallback_value, code, amount_1000} nor date_time {fallback_value}: give text, a currency or a date_time`,
		};
	}
	const maxLength =
		slot.maxLength !== undefined ? Math.min(slot.maxLength, textMaxLength) : textMaxLength;
	const text = checkedText(slot, value, maxLength);
	if (!text.ok) {
		return textOnly && isPlainObject(value)
			? {
					ok: false,
					message: `${fieldName(slot)} is an object: this template takes the verification code as text`,
				}
			: text;
	}
	return { ok: true, value: { type: 'text', ...name, text: text.value }, shown: text.value };
}

function checkCurrency(
	slot: TemplateSlot,
	raw: unknown,
	name: { parameter_name?: string },
): Checked<GraphParameter> {
	const fix = 'give { fallback_value: "$12.50", code: "USD", amount_1000: 12500 }';
	if (!isPlainObject(raw))
		return { ok: false, message: `${fieldName(slot)} currency is not an object: ${fix}` };
	const { fallback_value: fallback, code, amount_1000: amount } = raw;
	if (typeof fallback !== 'string' || fallback.trim() === '')
		return {
			ok: false,
			message: `${fieldName(slot)} currency has no fallback_value (the text shown): ${fix}`,
		};
	if (typeof code !== 'string' || !templateRules.currencyCodePattern.test(code)) {
		return {
			ok: false,
			message: `${fieldName(slot)} currency code ${JSON.stringify(code)} is not an ISO 4217 code: use 3 capital letters, e.g. USD, ARS, EUR`,
		};
	}
	if (typeof amount !== 'number' || !Number.isInteger(amount)) {
		return {
			ok: false,
			message: `${fieldName(slot)} currency amount_1000 ${JSON.stringify(amount)} is not an integer: give the amount times 1000, e.g. 12.50 → 12500`,
		};
	}
	const broken = checkTextRules(`${fieldName(slot)} fallback_value`, fallback);
	if (broken) return { ok: false, message: broken };
	return {
		ok: true,
		value: {
			type: 'currency',
			...name,
			currency: { fallback_value: fallback, code, amount_1000: amount },
		},
		shown: fallback,
	};
}

function checkDateTime(
	slot: TemplateSlot,
	raw: unknown,
	name: { parameter_name?: string },
): Checked<GraphParameter> {
	const fallback = isPlainObject(raw) ? raw.fallback_value : undefined;
	if (typeof fallback !== 'string' || fallback.trim() === '') {
		return {
			ok: false,
			message: `${fieldName(slot)} date_time has no fallback_value: give { fallback_value: "February 25, 2026" }`,
		};
	}
	const broken = checkTextRules(`${fieldName(slot)} fallback_value`, fallback);
	if (broken) return { ok: false, message: broken };
	return {
		ok: true,
		value: { type: 'date_time', ...name, date_time: { fallback_value: fallback } },
		shown: fallback,
	};
}

/** Header text variable. */
export function checkHeaderText(slot: TemplateSlot, value: unknown): Checked<GraphParameter> {
	const text = checkedText(slot, value, slot.maxLength);
	if (!text.ok) return text;
	const name = slot.parameterName ? { parameter_name: slot.parameterName } : {};
	return { ok: true, value: { type: 'text', ...name, text: text.value }, shown: text.value };
}

/**
 * Reads a binary reference of the item (a property name such as "data", or n8n's binary object): the file, a
 * refusal naming what is wrong, or undefined when the item has no such binary property.
 */
export type BinaryResolver = (
	reference: string | Record<string, unknown>,
) => { ok: true; file: MediaFile } | { ok: false; message: string } | undefined;

/** A header file to upload before the send: the payload's media object gets its `id` from the upload. */
export interface MediaUpload {
	file: MediaFile;
}

/** How a binary property name looks (no scheme, no slash, no space): anything else is read as a link. */
const binaryNamePattern = /^[^\s/:]+$/;

function looksLikeBinaryObject(value: Record<string, unknown>): boolean {
	// n8n's binary object; from an expression ({{ $binary.data }}) it comes without its `data`.
	return (
		typeof value.mimeType === 'string' &&
		value.link === undefined &&
		['data', 'id', 'fileName', 'bytes', 'fileSize'].some((key) => value[key] !== undefined)
	);
}

/** Header media: https link, media ID, or a binary property of the item (when `binary` can read it). */
export function checkMedia(
	slot: TemplateSlot,
	value: unknown,
	binary?: BinaryResolver,
): Checked<MediaRef | MediaUpload> {
	const fix = binary
		? 'give an https:// link Meta can download, a media ID (digits) from the media upload, or the name of a binary property of the item (e.g. data)'
		: 'give an https:// link Meta can download, or a media ID (digits) from the media upload';
	const fromBinary = (
		reference: string | Record<string, unknown>,
		shown: string,
	): Checked<MediaUpload> => {
		const found = binary?.(reference);
		if (!found) {
			return {
				ok: false,
				message: `${slot.id} ${shown} is not a link, a media ID or a binary property of this item: ${fix}`,
			};
		}
		if (!found.ok) return { ok: false, message: `${slot.id}: ${found.message}` };
		const problem = checkMediaFile(
			`${slot.id} ("${slot.displayName}")`,
			slot.mediaType ?? 'document',
			found.file,
		);
		if (problem) return { ok: false, message: problem };
		return {
			ok: true,
			value: { file: found.file },
			shown: `[${slot.mediaType} ${found.file.fileName ?? found.file.source}]`,
		};
	};
	let ref: MediaRef;
	if (typeof value === 'number' && Number.isInteger(value)) ref = { id: String(value) };
	else if (typeof value === 'string') {
		const text = value.trim();
		if (templateRules.mediaIdPattern.test(text)) ref = { id: text };
		else if (binary && binaryNamePattern.test(text)) return fromBinary(text, `"${text}"`);
		else ref = { link: text };
	} else if (
		isPlainObject(value) &&
		(typeof value.link === 'string' ||
			(typeof value.id === 'string' && !looksLikeBinaryObject(value)))
	) {
		ref = typeof value.id === 'string' ? { id: value.id } : { link: String(value.link) };
	} else if (
		binary &&
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		looksLikeBinaryObject(value as Record<string, unknown>)
	) {
		return fromBinary(value as Record<string, unknown>, 'binary file');
	} else return { ok: false, message: `${fieldName(slot)} is ${describeKind(value)}: ${fix}` };

	if (ref.id !== undefined) {
		if (!templateRules.mediaIdPattern.test(ref.id))
			return {
				ok: false,
				message: `${fieldName(slot)} media ID "${ref.id}" is not a media ID (digits only): ${fix}`,
			};
		return { ok: true, value: ref, shown: `[${slot.mediaType} ${ref.id}]` };
	}
	const link = ref.link ?? '';
	let url: URL | undefined;
	try {
		url = /\s/.test(link) ? undefined : new URL(link);
	} catch {
		url = undefined;
	}
	if (!url || !url.hostname)
		return { ok: false, message: `${fieldName(slot)} "${link}" is not a valid link: ${fix}` };
	if (!templateRules.mediaLinkProtocols.includes(url.protocol)) {
		return {
			ok: false,
			message: `${fieldName(slot)} "${link}" uses ${url.protocol.replace(':', '')}: WhatsApp needs an https:// link (or a media ID)`,
		};
	}
	return { ok: true, value: { link }, shown: `[${slot.mediaType} ${link}]` };
}

/** Latitude / longitude: number or numeric string within its range. */
export function checkCoordinate(slot: TemplateSlot, value: unknown): Checked<number> {
	const range =
		slot.kind === 'latitude' ? templateRules.latitudeRange : templateRules.longitudeRange;
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value.trim())
				: Number.NaN;
	if (!Number.isFinite(number))
		return {
			ok: false,
			message: `${fieldName(slot)} ${JSON.stringify(value)} is not a number: give decimal degrees, e.g. -34.6037`,
		};
	if (number < range[0] || number > range[1])
		return {
			ok: false,
			message: `${fieldName(slot)} ${number} is outside ${range[0]}…${range[1]}: check that latitude and longitude are not swapped`,
		};
	return { ok: true, value: number, shown: String(number) };
}

/** Plain text values of location name/address, document file name, payload, flow token, catalog id. */
export function checkPlainText(slot: TemplateSlot, value: unknown): Checked<string> {
	return asText(slot, value);
}

/** A quick-reply payload, within Meta's length. */
export function checkPayload(slot: TemplateSlot, value: unknown): Checked<string> {
	const text = asText(slot, value);
	if (!text.ok || text.value.length <= templateRules.quickReplyPayloadMaxLength) return text;
	return {
		ok: false,
		message: `${fieldName(slot)} is ${text.value.length} characters; WhatsApp allows ${templateRules.quickReplyPayloadMaxLength}: store the data elsewhere and send its id`,
	};
}

/** The suffix of a URL button, as it will be appended. */
export function checkUrlSuffix(
	slot: TemplateSlot,
	value: unknown,
	urlTemplate: string,
): Checked<string> {
	const text = asText(slot, value);
	if (!text.ok) return text;
	if (/\s/.test(text.value))
		return {
			ok: false,
			message: `${fieldName(slot)} "${text.value}" contains spaces or newlines: URL-encode it (encodeURIComponent)`,
		};
	const full = urlTemplate.replace(templateRules.variablePattern, () => text.value);
	if (full.length > templateRules.urlButtonMaxLength) {
		return {
			ok: false,
			message: `${fieldName(slot)} makes the link ${full.length} characters; WhatsApp allows ${templateRules.urlButtonMaxLength}: shorten it`,
		};
	}
	try {
		new URL(full);
	} catch {
		return {
			ok: false,
			message: `${fieldName(slot)} "${text.value}" does not make a valid link (${full}): give only the part after the template's URL`,
		};
	}
	return { ok: true, value: text.value, shown: full };
}

/** A copy-code button's coupon code, within Meta's rules. */
export function checkCouponCode(slot: TemplateSlot, value: unknown): Checked<string> {
	const text = asText(slot, value);
	if (!text.ok) return text;
	if (text.value.length > templateRules.couponCodeMaxLength) {
		return {
			ok: false,
			message: `${fieldName(slot)} "${text.value}" is ${text.value.length} characters; coupon codes allow ${templateRules.couponCodeMaxLength}: shorten it`,
		};
	}
	if (!templateRules.couponCodePattern.test(text.value)) {
		return {
			ok: false,
			message: `${fieldName(slot)} "${text.value}" has characters other than letters and digits: coupon codes are alphanumeric, e.g. SAVE10`,
		};
	}
	return text;
}

/** An authentication button's code, within Meta's rules. */
export function checkOtpCode(slot: TemplateSlot, value: unknown): Checked<string> {
	const text = asText(slot, value);
	if (!text.ok) return text;
	const broken = checkTextRules(slot.id, text.value, templateRules.authenticationCodeMaxLength);
	return broken ? { ok: false, message: broken } : text;
}

/** A flow button's action data: an object or a JSON object string. */
export function checkFlowActionData(
	slot: TemplateSlot,
	value: unknown,
): Checked<Record<string, unknown>> {
	let data = value;
	if (typeof value === 'string') {
		try {
			data = JSON.parse(value);
		} catch {
			return {
				ok: false,
				message: `${fieldName(slot)} is not valid JSON: give a JSON object, e.g. {"appointment_id": "A-17"}`,
			};
		}
	}
	if (!isPlainObject(data))
		return {
			ok: false,
			message: `${fieldName(slot)} is ${describeKind(data)}: give a JSON object, e.g. {"appointment_id": "A-17"}`,
		};
	return { ok: true, value: data, shown: JSON.stringify(data) };
}

/** A slot as the editor shows it: "Template Variables › Body {{2}}". */
export function fieldName(slot: Pick<TemplateSlot, 'displayName'>): string {
	return `Template Variables › ${slot.displayName.replace(/ \(optional[^)]*\)$/, '').replace(/: link, media ID or binary property$/, '')}`;
}
