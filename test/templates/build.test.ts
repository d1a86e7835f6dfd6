/** For each template shape, the Graph API JSON equals docs/meta-cloud-api.md §1 exactly, and the rendered text is right. */

import {
	buildTemplateMessage,
	currency,
	type BuildTemplateInput,
	type TemplateMessagePayload,
} from '../../lib/templates';
import * as fx from './fixtures';

function build(input: BuildTemplateInput): {
	payload: TemplateMessagePayload;
	renderedText: string;
} {
	const result = buildTemplateMessage(input);
	if (!result.ok) throw new Error(`expected a payload, got: ${JSON.stringify(result.errors)}`);
	return result;
}

const envelope = {
	messaging_product: 'whatsapp',
	recipient_type: 'individual',
	to: fx.EMILIA_WA_ID,
	type: 'template',
} as const;

describe('buildTemplateMessage: Graph API JSON per template shape', () => {
	test('positional body with quick replies: payload only for the button given one, index as string', () => {
		const { payload, renderedText } = build({
			template: fx.appointmentReminderEs,
			to: fx.EMILIA,
			values: {
				'body.1': 'Emilia',
				'body.2': 'martes 14/05 a las 9:30',
				'button.0.payload': 'confirm:A-17',
			},
			callbackData: 'query-991',
		});
		expect(payload).toStrictEqual({
			...envelope,
			biz_opaque_callback_data: 'query-991',
			template: {
				name: 'appointment_reminder',
				language: { code: 'es' },
				components: [
					{
						type: 'body',
						parameters: [
							{ type: 'text', text: 'Emilia' },
							{ type: 'text', text: 'martes 14/05 a las 9:30' },
						],
					},
					{
						type: 'button',
						sub_type: 'quick_reply',
						index: '0',
						parameters: [{ type: 'payload', payload: 'confirm:A-17' }],
					},
				],
			},
		});
		expect(renderedText).toBe(
			'Recordatorio de turno\n\nHola Emilia, te recordamos tu turno: martes 14/05 a las 9:30. ¿Confirmás tu asistencia?\n\nSaludCenter',
		);
	});

	test('quick replies without payloads send no button component', () => {
		const { payload } = build({
			template: fx.appointmentReminderEs,
			to: fx.EMILIA,
			values: { 'body.1': 'Emilia', 'body.2': 'martes' },
		});
		expect(payload.template.components).toStrictEqual([
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Emilia' },
					{ type: 'text', text: 'martes' },
				],
			},
		]);
		expect(payload).not.toHaveProperty('biz_opaque_callback_data');
	});

	test('body-only template (resume contact)', () => {
		const { payload, renderedText } = build({
			template: fx.resumeContact,
			to: '5491155551234',
			values: { 'body.1': 'Emilia', 'body.2': 'Laura' },
		});
		expect(payload).toStrictEqual({
			...envelope,
			template: {
				name: 'resume_contact',
				language: { code: 'es' },
				components: [
					{
						type: 'body',
						parameters: [
							{ type: 'text', text: 'Emilia' },
							{ type: 'text', text: 'Laura' },
						],
					},
				],
			},
		});
		expect(renderedText).toBe(
			'Hola Emilia, soy Laura del equipo de SaludCenter. Retomamos tu consulta: ¿seguimos por acá?',
		);
	});

	test('image header by link, URL button suffix; static URL and phone buttons take nothing', () => {
		const { payload, renderedText } = build({
			template: fx.taxiDiscount,
			to: fx.EMILIA,
			values: {
				header: 'https://cdn.example.com/taxi.jpg',
				'body.1': 'Emilia',
				'body.2': '10%',
				'button.0.url': 'SALUD10',
			},
		});
		expect(payload).toStrictEqual({
			...envelope,
			template: {
				name: 'taxi_discount',
				language: { code: 'es' },
				components: [
					{
						type: 'header',
						parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/taxi.jpg' } }],
					},
					{
						type: 'body',
						parameters: [
							{ type: 'text', text: 'Emilia' },
							{ type: 'text', text: '10%' },
						],
					},
					{
						type: 'button',
						sub_type: 'url',
						index: '0',
						parameters: [{ type: 'text', text: 'SALUD10' }],
					},
				],
			},
		});
		expect(renderedText).toBe(
			'Emilia, tenés un 10% de descuento en tu próximo viaje en taxi.\n\nVálido hasta fin de mes',
		);
	});

	test('image header by media ID', () => {
		const { payload } = build({
			template: fx.taxiDiscount,
			to: fx.EMILIA,
			values: {
				header: '1013859600285441',
				'body.1': 'Emilia',
				'body.2': '10%',
				'button.0.url': 'X',
			},
		});
		expect(payload.template.components?.[0]).toStrictEqual({
			type: 'header',
			parameters: [{ type: 'image', image: { id: '1013859600285441' } }],
		});
	});

	test('video header; document header with file name', () => {
		expect(
			build({
				template: fx.welcomeVideo,
				to: fx.EMILIA,
				values: { header: { link: 'https://cdn.example.com/welcome.mp4' } },
			}).payload.template,
		).toStrictEqual({
			name: 'welcome_video',
			language: { code: 'en' },
			components: [
				{
					type: 'header',
					parameters: [{ type: 'video', video: { link: 'https://cdn.example.com/welcome.mp4' } }],
				},
			],
		});
		expect(
			build({
				template: fx.invoiceReady,
				to: fx.EMILIA,
				values: {
					header: 'https://cdn.example.com/f-1042.pdf',
					'header.filename': 'factura-1042.pdf',
					'body.1': 'Emilia',
				},
			}).payload.template.components,
		).toStrictEqual([
			{
				type: 'header',
				parameters: [
					{
						type: 'document',
						document: { link: 'https://cdn.example.com/f-1042.pdf', filename: 'factura-1042.pdf' },
					},
				],
			},
			{ type: 'body', parameters: [{ type: 'text', text: 'Emilia' }] },
		]);
	});

	test('NAMED template: every parameter carries parameter_name, header and body alike', () => {
		const { payload, renderedText } = build({
			template: fx.orderUpdate,
			to: fx.EMILIA,
			values: { header: 'A-1042', 'body.first_name': 'Emilia', 'body.order_id': 'A-1042' },
		});
		expect(payload.template).toStrictEqual({
			name: 'order_update',
			language: { code: 'en_US' },
			components: [
				{
					type: 'header',
					parameters: [{ type: 'text', parameter_name: 'order_id', text: 'A-1042' }],
				},
				{
					type: 'body',
					parameters: [
						{ type: 'text', parameter_name: 'first_name', text: 'Emilia' },
						{ type: 'text', parameter_name: 'order_id', text: 'A-1042' },
					],
				},
			],
		});
		expect(renderedText).toBe('Order A-1042\n\nHi Emilia, your order A-1042 has shipped.');
	});

	test('positional header text', () => {
		const { payload, renderedText } = build({
			template: fx.saleStarts,
			to: fx.EMILIA,
			values: { header: 'Dec 1', 'body.1': 'Emilia' },
		});
		expect(payload.template.components).toStrictEqual([
			{ type: 'header', parameters: [{ type: 'text', text: 'Dec 1' }] },
			{ type: 'body', parameters: [{ type: 'text', text: 'Emilia' }] },
		]);
		expect(renderedText).toBe('Our sale starts Dec 1!\n\nShop early, Emilia.');
	});

	test('copy code coupon at its own index, quick reply before it', () => {
		const { payload } = build({
			template: fx.couponOffer,
			to: fx.EMILIA,
			values: {
				'body.1': '25OFF',
				'body.2': '25%',
				'button.0.payload': 'unsubscribe',
				'button.1.coupon_code': '25OFF',
			},
		});
		expect(payload.template.components).toStrictEqual([
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: '25OFF' },
					{ type: 'text', text: '25%' },
				],
			},
			{
				type: 'button',
				sub_type: 'quick_reply',
				index: '0',
				parameters: [{ type: 'payload', payload: 'unsubscribe' }],
			},
			{
				type: 'button',
				sub_type: 'copy_code',
				index: '1',
				parameters: [{ type: 'coupon_code', coupon_code: '25OFF' }],
			},
		]);
	});

	test('authentication: the code goes in the body and, by default, in the url button', () => {
		const { payload, renderedText } = build({
			template: fx.verificationCode,
			to: fx.EMILIA,
			values: { 'body.1': '482913' },
		});
		expect(payload.template).toStrictEqual({
			name: 'verification_code',
			language: { code: 'en_US' },
			components: [
				{ type: 'body', parameters: [{ type: 'text', text: '482913' }] },
				{
					type: 'button',
					sub_type: 'url',
					index: '0',
					parameters: [{ type: 'text', text: '482913' }],
				},
			],
		});
		expect(renderedText).toBe(
			'*482913* is your verification code. For your security, do not share this code.\n\nThis code expires in 10 minutes.',
		);
		const otp = build({
			template: fx.verificationCodeOtpButton,
			to: fx.EMILIA,
			values: { 'body.1': '482913', 'button.0.code': '482913' },
		});
		expect(otp.payload.template.components?.[1]).toStrictEqual({
			type: 'button',
			sub_type: 'url',
			index: '0',
			parameters: [{ type: 'text', text: '482913' }],
		});
	});

	test('location header from four fields (numbers or numeric strings), NAMED body', () => {
		const { payload, renderedText } = build({
			template: fx.deliveryLocation,
			to: fx.EMILIA,
			values: {
				'header.latitude': '-34.6037',
				'header.longitude': -58.3816,
				'header.name': 'SaludCenter Palermo',
				'header.address': 'Av. Santa Fe 3200, Buenos Aires',
				'body.order_number': 'ORD-7',
			},
		});
		expect(payload.template).toStrictEqual({
			name: 'delivery_location',
			language: { code: 'es_AR' },
			components: [
				{
					type: 'header',
					parameters: [
						{
							type: 'location',
							location: {
								latitude: -34.6037,
								longitude: -58.3816,
								name: 'SaludCenter Palermo',
								address: 'Av. Santa Fe 3200, Buenos Aires',
							},
						},
					],
				},
				{
					type: 'body',
					parameters: [{ type: 'text', parameter_name: 'order_number', text: 'ORD-7' }],
				},
			],
		});
		expect(renderedText).toBe(
			'Tu pedido ORD-7 llega a este punto.\n\nEntrega estimada: 30 minutos',
		);
	});

	test('currency and date_time parameters; their fallback values are what renders', () => {
		const { payload, renderedText } = build({
			template: fx.paymentDue,
			to: fx.EMILIA,
			values: {
				'body.1': 'Emilia',
				'body.2': currency('USD', 12.5),
				'body.3': { fallback_value: 'May 14, 2026' },
			},
		});
		expect(payload.template.components).toStrictEqual([
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Emilia' },
					{
						type: 'currency',
						currency: { fallback_value: '$12.50', code: 'USD', amount_1000: 12500 },
					},
					{ type: 'date_time', date_time: { fallback_value: 'May 14, 2026' } },
				],
			},
		]);
		expect(renderedText).toBe(
			'Hi Emilia, your payment of $12.50 is due on May 14, 2026.\n\nReply STOP to opt out',
		);
	});

	test("Meta's own parameter objects are accepted as values", () => {
		const { payload } = build({
			template: fx.paymentDue,
			to: fx.EMILIA,
			values: {
				'body.1': { type: 'text', text: 'Emilia' },
				'body.2': {
					type: 'currency',
					currency: { fallback_value: 'ARS 1.500', code: 'ARS', amount_1000: 1500000 },
				},
				'body.3': { type: 'date_time', date_time: { fallback_value: '14/05' } },
			},
		});
		expect(payload.template.components?.[0]).toStrictEqual({
			type: 'body',
			parameters: [
				{ type: 'text', text: 'Emilia' },
				{
					type: 'currency',
					currency: { fallback_value: 'ARS 1.500', code: 'ARS', amount_1000: 1500000 },
				},
				{ type: 'date_time', date_time: { fallback_value: '14/05' } },
			],
		});
	});

	test('flow button: always sent, token defaults to "unused", data when given', () => {
		expect(build({ template: fx.bookingFlow, to: fx.EMILIA }).payload.template).toStrictEqual({
			name: 'booking_flow',
			language: { code: 'es' },
			components: [
				{
					type: 'button',
					sub_type: 'flow',
					index: '0',
					parameters: [{ type: 'action', action: { flow_token: 'unused' } }],
				},
			],
		});
		expect(
			build({
				template: fx.bookingFlow,
				to: fx.EMILIA,
				values: {
					'button.0.flow_token': 'tok-1',
					'button.0.flow_action_data': '{"patient":"Emilia"}',
				},
			}).payload.template.components,
		).toStrictEqual([
			{
				type: 'button',
				sub_type: 'flow',
				index: '0',
				parameters: [
					{
						type: 'action',
						action: { flow_token: 'tok-1', flow_action_data: { patient: 'Emilia' } },
					},
				],
			},
		]);
	});

	test('catalog button: thumbnail when given, nothing otherwise', () => {
		const values = { 'body.1': '100', 'body.2': 400 };
		expect(
			build({ template: fx.catalogOffer, to: fx.EMILIA, values }).payload.template.components,
		).toStrictEqual([
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: '100' },
					{ type: 'text', text: '400' },
				],
			},
		]);
		expect(
			build({
				template: fx.catalogOffer,
				to: fx.EMILIA,
				values: { ...values, 'button.0.catalog': '2lc20305pt' },
			}).payload.template.components?.[1],
		).toStrictEqual({
			type: 'button',
			sub_type: 'catalog',
			index: '0',
			parameters: [{ type: 'action', action: { thumbnail_product_retailer_id: '2lc20305pt' } }],
		});
	});

	test('a template without variables has no components key', () => {
		const { payload, renderedText } = build({ template: fx.helloWorld, to: fx.EMILIA, values: {} });
		expect(payload).toStrictEqual({
			...envelope,
			template: { name: 'hello_world', language: { code: 'en_US' } },
		});
		expect(renderedText.startsWith('Hello World\n\nWelcome and congratulations!!')).toBe(true);
		expect(renderedText.endsWith('\n\nWhatsApp Business Platform sample message')).toBe(true);
	});

	test('national numbers use the default country; the result carries the recipient', () => {
		const result = buildTemplateMessage({
			template: fx.helloWorld,
			to: '11 5555-1234',
			defaultCountry: 'AR',
		});
		expect(result.ok && result.payload.to).toBe('541155551234');
		expect(result.ok && result.recipient).toEqual({
			e164: '+541155551234',
			waId: '541155551234',
			country: 'AR',
		});
	});

	test('numbers, booleans and empty optional values', () => {
		const { payload } = build({
			template: fx.appointmentReminderEs,
			to: fx.EMILIA,
			values: { 'body.1': 42, 'body.2': true, 'button.0.payload': '', 'button.1.payload': null },
		});
		expect(payload.template.components).toStrictEqual([
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: '42' },
					{ type: 'text', text: 'true' },
				],
			},
		]);
	});

	test('a 32768-character limit applies to body-only templates, 1024 otherwise', () => {
		const long = 'x'.repeat(2000);
		expect(
			buildTemplateMessage({
				template: fx.resumeContact,
				to: fx.EMILIA,
				values: { 'body.1': long, 'body.2': 'Laura' },
			}).ok,
		).toBe(true);
		expect(
			buildTemplateMessage({
				template: fx.appointmentReminderEs,
				to: fx.EMILIA,
				values: { 'body.1': long, 'body.2': 'x' },
			}).ok,
		).toBe(false);
	});
});
