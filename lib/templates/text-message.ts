/**
 * Free-form text message (smart mode: inside an open customer service window a text is free,
 * so the template's rendered text is sent as plain text instead of the paid template).
 */

import { normalisePhone, phoneFieldMessage } from '../phone';
import type { FieldError, Recipient } from './build';
import { templateRules } from './message-rules';
import { isEmptyValue } from './values';

/** The Graph API JSON of a free-form text send. */
export interface TextMessagePayload {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	to: string;
	type: 'text';
	biz_opaque_callback_data?: string;
	text: { preview_url?: boolean; body: string };
}

/** Options of a text send: the default country, callback data, link previews. */
export interface TextMessageOptions {
	defaultCountry?: string;
	/** biz_opaque_callback_data, at most 512 characters. */
	callbackData?: string;
	/** Let WhatsApp render a preview of the first link in the text. */
	previewUrl?: boolean;
}

export type BuildTextResult =
	| { ok: true; payload: TextMessagePayload; renderedText: string; recipient: Recipient }
	| { ok: false; errors: FieldError[] };

/**
 * Builds `{ type: 'text' }` for POST /{phone}/messages. Pass a template build's `renderedText` to send the
 * template's words for free while the window is open (newlines are allowed here, unlike in template variables).
 */
export function buildTextMessage(
	to: unknown,
	text: unknown,
	options: TextMessageOptions = {},
): BuildTextResult {
	const errors: FieldError[] = [];
	const phone = normalisePhone(to, options.defaultCountry);
	if (!phone.ok) errors.push({ field: 'to', message: phoneFieldMessage(phone.reason) });
	if (typeof text !== 'string' || text.trim() === '') {
		errors.push({
			field: 'text',
			message: "text is empty: give the message to send (by default the template's rendered text)",
		});
	} else if (text.length > templateRules.textMessageMaxLength) {
		errors.push({
			field: 'text',
			message: `text is ${text.length} characters; WhatsApp allows ${templateRules.textMessageMaxLength}: shorten it or split it into several messages`,
		});
	}
	const callbackData = options.callbackData;
	if (
		!isEmptyValue(callbackData) &&
		(typeof callbackData !== 'string' || callbackData.length > templateRules.callbackDataMaxLength)
	) {
		errors.push({
			field: 'callbackData',
			message: `callbackData must be text of at most ${templateRules.callbackDataMaxLength} characters: use a shorter id`,
		});
	}
	if (errors.length > 0 || !phone.ok || typeof text !== 'string') return { ok: false, errors };
	const payload: TextMessagePayload = {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: phone.waId,
		type: 'text',
		...(!isEmptyValue(callbackData) ? { biz_opaque_callback_data: callbackData } : {}),
		text: {
			...(options.previewUrl !== undefined ? { preview_url: options.previewUrl } : {}),
			body: text,
		},
	};
	return {
		ok: true,
		payload,
		renderedText: text,
		recipient: { e164: phone.e164, waId: phone.waId, country: phone.country },
	};
}
