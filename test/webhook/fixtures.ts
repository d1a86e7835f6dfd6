/**
 * Webhook bodies shaped like Meta's documented examples (docs/meta-cloud-api.md §3), with made-up IDs.
 * `metaJson` serialises the way Meta's servers do — non-ASCII as \uXXXX and "/" as "\/" — so the bytes
 * (and therefore the signatures) are realistic; tests also send raw UTF-8 bodies.
 * Used by the tests and by scripts/bench/webhook.bench.ts.
 */
import { createHmac } from 'node:crypto';
import type {
	WaChange,
	WaContact,
	WaEntry,
	WaError,
	WaMessage,
	WaMessagesValue,
	WaPayload,
	WaStatus,
} from '../../lib/webhook';

export const APP_SECRET = 'test-app-secret-4b1d9c';
export const WABA_ID = '102290129340398';
export const PHONE_NUMBER_ID = '106540352242922';
export const DISPLAY_PHONE = '15550783881';
export const USER_WA_ID = '5491155551234';
export const USER_NAME = 'Emilia Núñez';
/** 2025-06-09T21:39:43Z */
export const TS = '1749505183';

/** JSON as Meta serialises webhook bodies: ASCII only, non-ASCII escaped as \uXXXX, slashes escaped. */
export function metaJson(value: unknown): string {
	return JSON.stringify(value)
		.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
		.replace(/\//g, '\\/');
}

export function sign(body: Buffer | string, secret = APP_SECRET): string {
	return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function envelope(...entries: WaEntry[]): WaPayload {
	return { object: 'whatsapp_business_account', entry: entries };
}

export function entry(changes: WaChange[], id = WABA_ID, time?: number): WaEntry {
	return time === undefined ? { id, changes } : { id, time, changes };
}

export function contact(waId = USER_WA_ID, name = USER_NAME, userId?: string): WaContact {
	return userId === undefined
		? { profile: { name }, wa_id: waId }
		: { profile: { name }, wa_id: waId, user_id: userId };
}

export function messagesChange(
	parts: {
		messages?: WaMessage[];
		statuses?: WaStatus[];
		contacts?: WaContact[];
		errors?: WaError[];
	},
	phoneNumberId = PHONE_NUMBER_ID,
): WaChange {
	const value: WaMessagesValue = {
		messaging_product: 'whatsapp',
		metadata: { display_phone_number: DISPLAY_PHONE, phone_number_id: phoneNumberId },
	};
	if (parts.contacts) value.contacts = parts.contacts;
	if (parts.messages) value.messages = parts.messages;
	if (parts.statuses) value.statuses = parts.statuses;
	if (parts.errors) value.errors = parts.errors;
	return { field: 'messages', value };
}

/** One inbound message as its own webhook (contact included, as Meta sends it). */
export function inbound(message: WaMessage, from = USER_WA_ID, name = USER_NAME): WaPayload {
	return envelope(
		entry([messagesChange({ contacts: [contact(from, name)], messages: [message] })]),
	);
}

export function statusPayload(status: WaStatus): WaPayload {
	return envelope(entry([messagesChange({ statuses: [status] })]));
}

let counter = 0;
export function wamid(): string {
	counter++;
	return `wamid.HBgNNTQ5MTE1NTU1MTIzNBUCABIYFjNFQjA${counter.toString(36).toUpperCase().padStart(6, '0')}AA==`;
}

// ---------------------------------------------------------------- one message of each type

export const messages = {
	text: (body = 'Hola, ¿tienen turnos para el martes? 🙂'): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'text',
		text: { body },
	}),
	button: (payload = 'CONFIRM_APPOINTMENT', text = 'Confirmar'): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'button',
		context: { from: DISPLAY_PHONE, id: 'wamid.OUTBOUND_TEMPLATE' },
		button: { payload, text },
	}),
	buttonReply: (id = 'slot_tue_10', title = 'Martes 10:00'): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'interactive',
		context: { from: DISPLAY_PHONE, id: 'wamid.OUTBOUND_BUTTONS' },
		interactive: { type: 'button_reply', button_reply: { id, title } },
	}),
	listReply: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'interactive',
		context: { from: DISPLAY_PHONE, id: 'wamid.OUTBOUND_LIST' },
		interactive: {
			type: 'list_reply',
			list_reply: { id: 'branch_palermo', title: 'Palermo', description: 'Av. Santa Fe 3253' },
		},
	}),
	flowReply: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'interactive',
		context: { from: DISPLAY_PHONE, id: 'wamid.OUTBOUND_FLOW' },
		interactive: {
			type: 'nfm_reply',
			nfm_reply: {
				name: 'flow',
				body: 'Sent',
				response_json: '{"flow_token":"tok-1","date":"2025-06-10","people":"2"}',
			},
		},
	}),
	image: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'image',
		image: {
			caption: 'Comprobante de pago',
			mime_type: 'image/jpeg',
			sha256: 'b1Rhc3NlZWQ=',
			id: '1003383421387256',
		},
	}),
	audio: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'audio',
		audio: {
			mime_type: 'audio/ogg; codecs=opus',
			sha256: 'YXVkaW8=',
			id: '1003383421387257',
			voice: true,
		},
	}),
	video: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'video',
		video: {
			caption: 'Así quedó',
			mime_type: 'video/mp4',
			sha256: 'dmlkZW8=',
			id: '1003383421387258',
		},
	}),
	document: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'document',
		document: {
			caption: 'Factura',
			filename: 'factura-0001.pdf',
			mime_type: 'application/pdf',
			sha256: 'ZG9j',
			id: '1003383421387259',
		},
	}),
	sticker: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'sticker',
		sticker: {
			mime_type: 'image/webp',
			sha256: 'c3RpY2tlcg==',
			id: '1003383421387260',
			animated: false,
		},
	}),
	location: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'location',
		location: {
			latitude: -34.588,
			longitude: -58.411,
			name: 'Sucursal Palermo',
			address: 'Av. Santa Fe 3253, CABA',
			url: 'https://example.com/palermo',
		},
	}),
	contacts: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'contacts',
		contacts: [
			{
				name: { formatted_name: 'Juan Pérez', first_name: 'Juan', last_name: 'Pérez' },
				phones: [{ phone: '+54 9 11 5555-0000', wa_id: '5491155550000', type: 'CELL' }],
			},
		],
	}),
	reaction: (emoji = '👍'): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'reaction',
		reaction: { message_id: 'wamid.OUTBOUND_REMINDER', emoji },
	}),
	order: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'order',
		order: {
			catalog_id: '194836987003835',
			text: 'Lo quiero para el viernes',
			product_items: [
				{ product_retailer_id: 'sku-42', quantity: 2, item_price: 1500, currency: 'ARS' },
			],
		},
	}),
	system: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'system',
		system: {
			body: 'Emilia changed from 5491155551234 to 5491155559999',
			wa_id: '5491155559999',
			type: 'user_changed_number',
		},
	}),
	unsupported: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'unsupported',
		errors: [
			{
				code: 131051,
				title: 'Message type unknown',
				message: 'Message type unknown',
				error_data: { details: 'Message type is currently not supported.' },
			},
		],
	}),
	referral: (): WaMessage => ({
		from: USER_WA_ID,
		id: wamid(),
		timestamp: TS,
		type: 'text',
		text: { body: 'Quiero más información' },
		referral: {
			source_url: 'https://fb.me/3cr4Wqqkv',
			source_id: '120226305854810726',
			source_type: 'ad',
			body: 'Turnos online',
			headline: 'Reservá ya',
			media_type: 'image',
			image_url: 'https://scontent.example/ad.jpg',
			ctwa_clid:
				'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMXP',
		},
	}),
};

// ---------------------------------------------------------------- statuses

export function status(value: WaStatus['status'], extra: Partial<WaStatus> = {}): WaStatus {
	return {
		id: 'wamid.OUTBOUND_CAMPAIGN_1',
		status: value,
		timestamp: TS,
		recipient_id: USER_WA_ID,
		...extra,
	};
}

export const conversation = {
	id: 'CONVERSATION_ID',
	expiration_timestamp: '1749591583',
	origin: { type: 'marketing' },
};
export const pricing = {
	billable: true,
	pricing_model: 'PMP',
	type: 'regular',
	category: 'marketing',
};

// ---------------------------------------------------------------- other fields

export const otherChanges = {
	templateStatus: (): WaChange => ({
		field: 'message_template_status_update',
		value: {
			event: 'REJECTED',
			message_template_id: 1689556908129835,
			message_template_name: 'abandoned_cart',
			message_template_language: 'es_AR',
			reason: 'INVALID_FORMAT',
			message_template_category: 'MARKETING',
			rejection_info: {
				reason: 'Parameters placed next to each other.',
				recommendation: 'Separate parameters with text.',
			},
		},
	}),
	templateQuality: (): WaChange => ({
		field: 'message_template_quality_update',
		value: {
			previous_quality_score: 'GREEN',
			new_quality_score: 'YELLOW',
			message_template_id: 806312974732579,
			message_template_name: 'appointment_reminder',
			message_template_language: 'es_AR',
		},
	}),
	phoneQuality: (): WaChange => ({
		field: 'phone_number_quality_update',
		value: {
			display_phone_number: DISPLAY_PHONE,
			event: 'UPGRADE',
			old_limit: 'TIER_250',
			current_limit: 'TIER_2K',
			max_daily_conversations_per_business: 'TIER_2K',
		},
	}),
	accountUpdate: (): WaChange => ({
		field: 'account_update',
		value: { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'SCAM' } },
	}),
	userPreferences: (value: 'stop' | 'resume' = 'stop', waId = USER_WA_ID): WaChange => ({
		field: 'user_preferences',
		value: {
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: DISPLAY_PHONE, phone_number_id: PHONE_NUMBER_ID },
			contacts: [contact(waId)],
			user_preferences: [
				{
					wa_id: waId,
					detail:
						value === 'stop'
							? 'User requested to stop marketing messages'
							: 'User requested to resume marketing messages',
					category: 'marketing_messages',
					value,
					timestamp: 1749505190,
				},
			],
		},
	}),
	valueErrors: (): WaChange =>
		messagesChange({
			errors: [
				{
					code: 131000,
					title: 'Something went wrong',
					message: 'Something went wrong',
					error_data: { details: 'Unable to process the webhook.' },
				},
			],
		}),
};

// ---------------------------------------------------------------- large batch (bench and batch tests)

const LONG_TEXT =
	'Buen día, quería consultar por el turno del martes: ¿se puede pasar al miércoles a la tarde? Gracias 🙏. ' +
	'También necesito la factura a nombre de la empresa, CUIT 30-71234567-8, y saber si aceptan transferencia. ';

/**
 * `changes` changes spread over entries of 100, alternating long text messages (with contacts and, every
 * tenth, a referral) and statuses (with pricing, conversation and callback data), padded so the body is
 * about `targetBytes`. Serialised like Meta (metaJson).
 */
export function largeBatch(
	changes = 1000,
	targetBytes = 3_000_000,
): { body: Buffer; payload: WaPayload } {
	const build = (textLength: number): WaPayload => {
		const text = LONG_TEXT.repeat(Math.ceil(textLength / LONG_TEXT.length)).slice(0, textLength);
		const entries: WaEntry[] = [];
		for (let i = 0; i < changes; i++) {
			if (i % 100 === 0)
				entries.push(entry([], `1022901293403${String(entries.length).padStart(2, '0')}`));
			const waId = `54911${String(55550000 + i)}`;
			const change =
				i % 2 === 0
					? messagesChange({
							contacts: [contact(waId, `Cliente ${i} Peña`)],
							messages: [
								{
									from: waId,
									id: `wamid.BATCH_IN_${i}`,
									timestamp: String(1749505183 + i),
									type: 'text',
									text: { body: `${i}: ${text}` },
									...(i % 20 === 0 ? { referral: messages.referral().referral } : {}),
								},
							],
						})
					: messagesChange({
							statuses: [
								status(i % 3 === 0 ? 'read' : 'delivered', {
									id: `wamid.BATCH_OUT_${i}`,
									recipient_id: waId,
									timestamp: String(1749505183 + i),
									biz_opaque_callback_data: `v1;c=spring-sale;r=${waId}`,
									conversation,
									pricing,
								}),
							],
						});
			entries[entries.length - 1].changes.push(change);
		}
		return envelope(...entries);
	};
	// Size the text so the whole body lands near targetBytes: texts carry the size, and escaping makes
	// bytes per character vary, so measure one guess and correct it linearly.
	const fixed = Buffer.byteLength(metaJson(build(0)));
	const messagesCount = Math.ceil(changes / 2);
	const guess = Math.max(0, Math.floor((targetBytes - fixed) / messagesCount));
	const measured = Buffer.byteLength(metaJson(build(guess)));
	const textLength =
		measured > fixed
			? Math.max(0, Math.floor((guess * (targetBytes - fixed)) / (measured - fixed)))
			: guess;
	const payload = build(textLength);
	return { body: Buffer.from(metaJson(payload)), payload };
}
