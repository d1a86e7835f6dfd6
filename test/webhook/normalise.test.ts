import {
	encodeCallbackData,
	normaliseEvents,
	parseWebhook,
	type MessageEvent,
	type OtherEvent,
	type StatusEvent,
	type WaMessage,
	type WaPayload,
	type WebhookEvent,
} from '../../lib/webhook';
import {
	DISPLAY_PHONE,
	PHONE_NUMBER_ID,
	USER_NAME,
	USER_WA_ID,
	WABA_ID,
	contact,
	conversation,
	entry,
	envelope,
	inbound,
	messages,
	messagesChange,
	metaJson,
	otherChanges,
	pricing,
	status,
	statusPayload,
} from './fixtures';

/** Through the real bytes, as the trigger gets them. */
function events(payload: WaPayload): WebhookEvent[] {
	const parsed = parseWebhook(Buffer.from(metaJson(payload)));
	if (!parsed.ok) throw new Error(parsed.message);
	return normaliseEvents(parsed.payload);
}

function one<T extends WebhookEvent>(payload: WaPayload): T {
	const list = events(payload);
	expect(list).toHaveLength(1);
	return list[0] as T;
}

function inboundEvent(message: WaMessage): MessageEvent {
	const event = one<MessageEvent>(inbound(message));
	expect(event).toMatchObject({
		kind: 'message',
		field: 'messages',
		id: message.id,
		from: USER_WA_ID,
		wa_id: USER_WA_ID,
		name: USER_NAME,
		timestamp: '2025-06-09T21:39:43.000Z',
		timestampMs: 1749505183000,
		phoneNumberId: PHONE_NUMBER_ID,
		displayPhoneNumber: DISPLAY_PHONE,
		wabaId: WABA_ID,
	});
	return event;
}

describe('normaliseEvents: inbound messages', () => {
	it('text: body as text, the change value as raw', () => {
		const message = messages.text();
		const event = inboundEvent(message);
		expect(event.type).toBe('text');
		expect(event.text).toBe('Hola, ¿tienen turnos para el martes? 🙂'); // \u escapes decoded, surrogate pair intact
		expect(event.raw).toEqual(inbound(message).entry[0].changes[0].value);
	});

	it('button (template quick reply): payload as button and replyId, button text as text, context kept', () => {
		const event = inboundEvent(messages.button('CONFIRM_APPOINTMENT', 'Confirmar'));
		expect(event).toMatchObject({
			type: 'button',
			text: 'Confirmar',
			button: 'CONFIRM_APPOINTMENT',
			replyId: 'CONFIRM_APPOINTMENT',
		});
		expect(event.context).toEqual({ from: DISPLAY_PHONE, id: 'wamid.OUTBOUND_TEMPLATE' });
	});

	it('interactive button_reply and list_reply: reply ID and title', () => {
		expect(inboundEvent(messages.buttonReply('slot_tue_10', 'Martes 10:00'))).toMatchObject({
			type: 'interactive',
			text: 'Martes 10:00',
			replyId: 'slot_tue_10',
			interactive: { type: 'button_reply', id: 'slot_tue_10', title: 'Martes 10:00' },
		});
		expect(inboundEvent(messages.listReply())).toMatchObject({
			text: 'Palermo',
			replyId: 'branch_palermo',
			interactive: {
				type: 'list_reply',
				id: 'branch_palermo',
				title: 'Palermo',
				description: 'Av. Santa Fe 3253',
			},
		});
	});

	it('interactive nfm_reply (flow): the response JSON parsed', () => {
		expect(inboundEvent(messages.flowReply())).toMatchObject({
			text: 'Sent',
			interactive: {
				type: 'nfm_reply',
				name: 'flow',
				body: 'Sent',
				response: { flow_token: 'tok-1', date: '2025-06-10', people: '2' },
			},
		});
	});

	it('media: image, audio, video, document and sticker with IDs and captions', () => {
		expect(inboundEvent(messages.image())).toMatchObject({
			type: 'image',
			text: 'Comprobante de pago',
			media: {
				id: '1003383421387256',
				mimeType: 'image/jpeg',
				sha256: 'b1Rhc3NlZWQ=',
				caption: 'Comprobante de pago',
			},
		});
		const audio = inboundEvent(messages.audio());
		expect(audio).toMatchObject({
			type: 'audio',
			media: { id: '1003383421387257', mimeType: 'audio/ogg; codecs=opus', voice: true },
		});
		expect(audio.text).toBeUndefined();
		expect(inboundEvent(messages.video())).toMatchObject({
			type: 'video',
			text: 'Así quedó',
			media: { id: '1003383421387258', caption: 'Así quedó' },
		});
		expect(inboundEvent(messages.document())).toMatchObject({
			type: 'document',
			text: 'Factura',
			media: { id: '1003383421387259', filename: 'factura-0001.pdf', mimeType: 'application/pdf' },
		});
		expect(inboundEvent(messages.sticker())).toMatchObject({
			type: 'sticker',
			media: { id: '1003383421387260', animated: false },
		});
	});

	it('location, shared contacts, reaction, order, system', () => {
		expect(inboundEvent(messages.location()).location).toEqual({
			latitude: -34.588,
			longitude: -58.411,
			name: 'Sucursal Palermo',
			address: 'Av. Santa Fe 3253, CABA',
			url: 'https://example.com/palermo',
		});
		const shared = inboundEvent(messages.contacts());
		expect(shared.sharedContacts).toEqual(messages.contacts().contacts);
		expect(inboundEvent(messages.reaction('👍')).reaction).toEqual({
			messageId: 'wamid.OUTBOUND_REMINDER',
			emoji: '👍',
		});
		expect(inboundEvent(messages.reaction('')).reaction).toEqual({
			messageId: 'wamid.OUTBOUND_REMINDER',
			emoji: '',
		}); // removed
		const order = inboundEvent(messages.order());
		expect(order).toMatchObject({
			type: 'order',
			text: 'Lo quiero para el viernes',
			order: { catalog_id: '194836987003835' },
		});
		expect(inboundEvent(messages.system())).toMatchObject({
			type: 'system',
			text: 'Emilia changed from 5491155551234 to 5491155559999',
			system: { type: 'user_changed_number', wa_id: '5491155559999' },
		});
	});

	it('unsupported: the error with its catalogue meaning', () => {
		const event = inboundEvent(messages.unsupported());
		expect(event.type).toBe('unsupported');
		expect(event.errors).toEqual([
			{
				code: 131051,
				title: 'Message type unknown',
				message: 'Message type unknown',
				details: 'Message type is currently not supported.',
				meaning: 'Unsupported message type',
				retry: 'fix-input',
				httpStatus: 400,
				fix: expect.stringMatching(/not supported/),
			},
		]);
	});

	it('referral (click-to-WhatsApp ad): kept as sent, with the text', () => {
		const message = messages.referral();
		const event = inboundEvent(message);
		expect(event.text).toBe('Quiero más información');
		expect(event.referral).toEqual(message.referral);
		expect(event.referral?.source_url).toBe('https://fb.me/3cr4Wqqkv'); // "\/" unescaped
	});

	it('unknown future types still become events with their raw message', () => {
		const message = {
			from: USER_WA_ID,
			id: 'wamid.NEW',
			timestamp: '1749505183',
			type: 'hologram',
			hologram: { id: 'x' },
		} as WaMessage;
		const event = inboundEvent(message);
		expect(event.type).toBe('hologram');
		expect((event.raw as { messages: unknown[] }).messages[0]).toEqual(message);
	});

	it('business-scoped user IDs: contact matched by user_id when the phone number is withheld', () => {
		const payload = envelope(
			entry([
				messagesChange({
					contacts: [
						{ profile: { name: 'Ana', username: '@ana' }, user_id: 'AR.1502576394655843' },
					],
					messages: [
						{
							from_user_id: 'AR.1502576394655843',
							id: 'wamid.U',
							timestamp: '1749505183',
							type: 'text',
							text: { body: 'hola' },
						},
					],
				}),
			]),
		);
		const event = one<MessageEvent>(payload);
		expect(event).toMatchObject({ user_id: 'AR.1502576394655843', name: 'Ana', username: '@ana' });
		expect(event.wa_id).toBeUndefined();
		expect(event.from).toBeUndefined();
	});

	it('contact with both wa_id and user_id gives both', () => {
		const payload = envelope(
			entry([
				messagesChange({
					contacts: [contact(USER_WA_ID, 'Ana', 'AR.77')],
					messages: [messages.text('x')],
				}),
			]),
		);
		expect(one<MessageEvent>(payload)).toMatchObject({
			wa_id: USER_WA_ID,
			user_id: 'AR.77',
			name: 'Ana',
		});
	});
});

describe('normaliseEvents: statuses', () => {
	it.each(['sent', 'delivered', 'read', 'played'])('%s', (value) => {
		const event = one<StatusEvent>(statusPayload(status(value)));
		expect(event).toMatchObject({
			kind: 'status',
			type: value,
			status: value,
			id: 'wamid.OUTBOUND_CAMPAIGN_1',
			recipientId: USER_WA_ID,
			wa_id: USER_WA_ID,
			timestamp: '2025-06-09T21:39:43.000Z',
			phoneNumberId: PHONE_NUMBER_ID,
		});
		expect(event.errors).toBeUndefined();
	});

	it('sent with pricing, conversation and our callback data: campaign ID decoded', () => {
		const callback = encodeCallbackData({
			campaignId: 'primavera-2025',
			recipient: '5491155551234',
			ref: 'q-17',
		});
		const event = one<StatusEvent>(
			statusPayload(status('sent', { conversation, pricing, biz_opaque_callback_data: callback })),
		);
		expect(event).toMatchObject({
			campaignId: 'primavera-2025',
			callbackData: { campaignId: 'primavera-2025', recipient: '5491155551234', ref: 'q-17' },
			bizOpaqueCallbackData: callback,
			pricing,
			conversation,
			conversationExpiresAt: '2025-06-10T21:39:43.000Z',
		});
	});

	it('callback data set by another tool is kept raw and not decoded', () => {
		const event = one<StatusEvent>(
			statusPayload(status('delivered', { biz_opaque_callback_data: 'crm-order-991' })),
		);
		expect(event.bizOpaqueCallbackData).toBe('crm-order-991');
		expect(event.callbackData).toBeUndefined();
		expect(event.campaignId).toBeUndefined();
	});

	it('failed: errors enriched from the catalogue', () => {
		const event = one<StatusEvent>(
			statusPayload(
				status('failed', {
					errors: [
						{
							code: 131026,
							title: 'Message undeliverable',
							message: 'Message undeliverable',
							error_data: { details: 'Message Undeliverable.' },
							href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
						},
					],
				}),
			),
		);
		expect(event.errors).toEqual([
			{
				code: 131026,
				title: 'Message undeliverable',
				message: 'Message undeliverable',
				details: 'Message Undeliverable.',
				href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
				meaning: 'Message undeliverable',
				retry: 'stop',
				httpStatus: 400,
				fix: expect.stringMatching(/do not retry/),
			},
		]);
	});

	it('unknown error codes get a conservative description instead of failing', () => {
		const event = one<StatusEvent>(
			statusPayload(status('failed', { errors: [{ code: 999999, title: 'New error' }] })),
		);
		expect(event.errors?.[0]).toMatchObject({
			code: 999999,
			title: 'New error',
			retry: 'stop',
			meaning: 'Unknown error',
		});
	});
});

describe('normaliseEvents: other fields', () => {
	const TIME = 1751247548;

	it('message_template_status_update', () => {
		const event = one<OtherEvent>(envelope(entry([otherChanges.templateStatus()], WABA_ID, TIME)));
		expect(event).toMatchObject({
			kind: 'other',
			type: 'message_template_status_update',
			field: 'message_template_status_update',
			wabaId: WABA_ID,
			event: 'REJECTED',
			template: {
				id: '1689556908129835',
				name: 'abandoned_cart',
				language: 'es_AR',
				category: 'MARKETING',
				reason: 'INVALID_FORMAT',
			},
			timestamp: '2025-06-30T01:39:08.000Z',
		});
		expect(event.raw).toEqual(otherChanges.templateStatus().value);
	});

	it('message_template_quality_update', () => {
		expect(
			one<OtherEvent>(envelope(entry([otherChanges.templateQuality()], WABA_ID, TIME))),
		).toMatchObject({
			type: 'message_template_quality_update',
			template: {
				id: '806312974732579',
				name: 'appointment_reminder',
				previousQuality: 'GREEN',
				newQuality: 'YELLOW',
			},
		});
	});

	it('phone_number_quality_update', () => {
		expect(
			one<OtherEvent>(envelope(entry([otherChanges.phoneQuality()], WABA_ID, TIME))),
		).toMatchObject({
			type: 'phone_number_quality_update',
			event: 'UPGRADE',
			displayPhoneNumber: DISPLAY_PHONE,
			messagingLimit: {
				current: 'TIER_2K',
				previous: 'TIER_250',
				maxDailyConversationsPerBusiness: 'TIER_2K',
			},
		});
	});

	it('account_update', () => {
		const event = one<OtherEvent>(envelope(entry([otherChanges.accountUpdate()], WABA_ID, TIME)));
		expect(event).toMatchObject({
			type: 'account_update',
			event: 'ACCOUNT_VIOLATION',
			raw: { violation_info: { violation_type: 'SCAM' } },
		});
	});

	it('user_preferences: one event per preference, with the contact', () => {
		expect(one<OtherEvent>(envelope(entry([otherChanges.userPreferences('stop')])))).toMatchObject({
			type: 'user_preferences',
			wa_id: USER_WA_ID,
			name: USER_NAME,
			phoneNumberId: PHONE_NUMBER_ID,
			preference: {
				category: 'marketing_messages',
				value: 'stop',
				detail: 'User requested to stop marketing messages',
			},
			timestamp: '2025-06-09T21:39:50.000Z',
		});
	});

	it('value.errors: an "errors" event with catalogue meanings', () => {
		expect(one<OtherEvent>(envelope(entry([otherChanges.valueErrors()])))).toMatchObject({
			type: 'errors',
			field: 'messages',
			phoneNumberId: PHONE_NUMBER_ID,
			errors: [
				{
					code: 131000,
					details: 'Unable to process the webhook.',
					retry: 'retry',
					meaning: 'Something went wrong',
				},
			],
		});
	});

	it('unknown fields still become events', () => {
		expect(
			one<OtherEvent>(
				envelope(
					entry([
						{
							field: 'business_capability_update',
							value: { max_daily_conversation_per_phone: 1000 },
						},
					]),
				),
			),
		).toMatchObject({
			kind: 'other',
			type: 'business_capability_update',
			raw: { max_daily_conversation_per_phone: 1000 },
		});
	});
});

describe('normaliseEvents: batched payloads', () => {
	it('several entries and changes, with several messages and statuses per change, in payload order', () => {
		const a = messages.text('uno');
		const b = { ...messages.image(), from: '5491100000002' };
		const payload = envelope(
			entry([
				messagesChange({
					contacts: [contact(USER_WA_ID, 'Ana'), contact('5491100000002', 'Beto')],
					messages: [a, b],
				}),
				messagesChange(
					{
						statuses: [status('delivered', { id: 'wamid.S1' }), status('read', { id: 'wamid.S1' })],
					},
					'200000000000002',
				),
			]),
			entry(
				[
					otherChanges.templateQuality(),
					messagesChange({ messages: [messages.reaction()], contacts: [contact()] }),
				],
				'999000111',
			),
		);
		const list = events(payload);
		expect(list.map((e) => [e.kind, e.type, e.wabaId, e.phoneNumberId])).toEqual([
			['message', 'text', WABA_ID, PHONE_NUMBER_ID],
			['message', 'image', WABA_ID, PHONE_NUMBER_ID],
			['status', 'delivered', WABA_ID, '200000000000002'],
			['status', 'read', WABA_ID, '200000000000002'],
			['other', 'message_template_quality_update', '999000111', undefined],
			['message', 'reaction', '999000111', PHONE_NUMBER_ID],
		]);
		// each message found its own contact, and its raw holds only its own message and contact
		expect(list[0]).toMatchObject({ name: 'Ana', text: 'uno' });
		expect(list[1]).toMatchObject({ name: 'Beto', from: '5491100000002' });
		expect(list[1].raw).toEqual({
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: DISPLAY_PHONE, phone_number_id: PHONE_NUMBER_ID },
			contacts: [contact('5491100000002', 'Beto')],
			messages: [b],
		});
		expect((list[3].raw as { statuses: unknown[] }).statuses).toEqual([
			status('read', { id: 'wamid.S1' }),
		]);
	});

	it('a message and value.errors in one change give two events', () => {
		const payload = envelope(
			entry([
				messagesChange({
					contacts: [contact()],
					messages: [messages.text('hola')],
					errors: [{ code: 131000 }],
				}),
			]),
		);
		expect(events(payload).map((e) => `${e.kind}/${e.type}`)).toEqual([
			'message/text',
			'other/errors',
		]);
	});

	it('an empty entry list gives no events', () => {
		expect(events(envelope())).toEqual([]);
	});
});

describe('normaliseEvents: hostile shapes', () => {
	it('wrong types everywhere give partial events, never a throw', () => {
		const weird = {
			object: 'whatsapp_business_account',
			entry: [
				null,
				7,
				{ id: 5, changes: 'x' },
				{
					id: 'w',
					changes: [
						null,
						{ field: 12, value: [] },
						{
							field: 'messages',
							value: {
								messages: [null, 1, { type: { a: 1 }, timestamp: 'soon', id: ['x'] }],
								statuses: {},
							},
						},
					],
				},
				{
					changes: [
						{
							field: 'messages',
							value: {
								messages: [{ id: 'm', timestamp: '99999999999999', type: '__proto__', from: 5491 }],
							},
						},
					],
				},
			],
		};
		const list = normaliseEvents(weird);
		expect(list.map((e) => `${e.kind}/${e.type}`)).toEqual([
			'other/unknown',
			'message/unknown',
			'message/__proto__',
		]);
		expect(list[1].timestamp).toBeUndefined(); // "soon"
		expect(list[2].timestamp).toBeUndefined(); // beyond what a Date holds
		expect((list[2] as MessageEvent).from).toBe('5491');
		expect(normaliseEvents(null)).toEqual([]);
		expect(normaliseEvents('x')).toEqual([]);
	});

	it('keys named like Object.prototype members stay plain data', () => {
		const body = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"__proto__":{"polluted":true},"messages":[{"id":"a","type":"text","text":{"body":"x"}},{"id":"b","type":"constructor"}]}}]}]}`;
		const parsed = parseWebhook(Buffer.from(body));
		if (!parsed.ok) throw new Error('parse');
		const list = normaliseEvents(parsed.payload);
		expect(list).toHaveLength(2);
		const raw = list[0].raw as Record<string, unknown>;
		expect(Object.getPrototypeOf(raw)).toBe(Object.prototype);
		expect(Object.prototype.hasOwnProperty.call(raw, '__proto__')).toBe(true);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect((list[1] as MessageEvent).text).toBeUndefined();
	});
});

describe('normaliseEvents: reading order (n8n shows keys in insertion order)', () => {
	it('a message leads with type, name, from and text; IDs and timestamps follow; raw is last', () => {
		const keys = Object.keys(inboundEvent(messages.text()));
		expect(keys.slice(0, 4)).toEqual(['type', 'name', 'from', 'text']);
		for (const technical of [
			'kind',
			'id',
			'wa_id',
			'timestamp',
			'timestampMs',
			'wabaId',
			'phoneNumberId',
		])
			expect([technical, keys.indexOf(technical) > keys.indexOf('text')]).toEqual([
				technical,
				true,
			]);
		expect(keys[keys.length - 1]).toBe('raw');
	});

	it('a button reply shows the button text and payload before the IDs', () => {
		const keys = Object.keys(inboundEvent(messages.button('CONFIRM_APPOINTMENT', 'Confirmar')));
		expect(keys.slice(0, 6)).toEqual(['type', 'name', 'from', 'text', 'button', 'replyId']);
		expect(keys.indexOf('context')).toBeLessThan(keys.indexOf('id'));
	});

	it('a status leads with the status, the recipient and the campaign; the IDs and the raw change follow', () => {
		const callback = encodeCallbackData({
			campaignId: 'primavera-2025',
			recipient: '5491155551234',
		});
		const event = one<StatusEvent>(
			statusPayload(
				status('failed', { conversation, pricing, biz_opaque_callback_data: callback }),
			),
		);
		const keys = Object.keys(event);
		// No contacts in a status change here, so no name.
		expect(keys.slice(0, 4)).toEqual(['type', 'status', 'recipientId', 'campaignId']);
		expect(keys.indexOf('id')).toBeGreaterThan(keys.indexOf('campaignId'));
		expect(keys[keys.length - 1]).toBe('raw');
	});

	it('another event leads with its type, event and template; no field is lost on the way', () => {
		const event = one<OtherEvent>(envelope(entry([otherChanges.templateStatus()], WABA_ID, 1)));
		const keys = Object.keys(event);
		expect(keys.slice(0, 3)).toEqual(['type', 'event', 'template']);
		expect(keys[keys.length - 1]).toBe('raw');
		expect(new Set(keys)).toEqual(
			new Set([
				'type',
				'event',
				'template',
				'kind',
				'field',
				'wabaId',
				'timestamp',
				'timestampMs',
				'raw',
			]),
		);
	});
});
