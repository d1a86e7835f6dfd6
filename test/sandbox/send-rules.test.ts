/** Meta's send rules over real HTTP: each refusal with its code, HTTP status and error body. */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { EMILIA, call, graphError, reminder, send, templateSend, text, PHONE } from './helpers';

let sandbox: RunningSandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ throughputMps: 1000 });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
	sandbox.control.reset();
	sandbox.control.configure({ throughputMps: 1000 });
});

async function refusal(body: Record<string, unknown>, code: number, http = 400) {
	const reply = await send(sandbox.url, body);
	const error = graphError(reply);
	expect({ status: reply.status, code: error.code }).toEqual({ status: http, code });
	expect(error.type).toBe('OAuthException');
	expect(error.error_data?.messaging_product).toBe('whatsapp');
	return error;
}

describe('accepted sends', () => {
	test("a template answers Meta's shape and lands in the ledger, rendered", async () => {
		const reply = await send(
			sandbox.url,
			reminder('+54 9 11 5555 1234', { biz_opaque_callback_data: 'campaign-7:row-1' }),
		);
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({
			messaging_product: 'whatsapp',
			contacts: [{ input: '+54 9 11 5555 1234', wa_id: EMILIA }],
			messages: [{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }],
		});
		const [entry] = sandbox.control.ledger.forRecipient(EMILIA);
		expect(entry).toMatchObject({
			id: reply.body.messages[0].id,
			waId: EMILIA,
			type: 'template',
			provider: 'meta',
			template: { name: 'appointment_reminder', language: 'es', category: 'UTILITY' },
			rendered: {
				header: 'Recordatorio de turno',
				body: 'Hola Emilia, te recordamos tu turno en SaludCenter: martes 14 de octubre, 8:30 h. ¿Confirmás tu asistencia?',
			},
			bizOpaqueCallbackData: 'campaign-7:row-1',
		});
		expect(entry.payload).toMatchObject({ to: '+54 9 11 5555 1234', type: 'template' });
	});

	test('every wamid is distinct', async () => {
		const replies = await Promise.all(
			[1, 2, 3, 4, 5].map((n) => send(sandbox.url, reminder(`54911555500${n}0`))),
		);
		expect(new Set(replies.map((reply) => reply.body.messages[0].id)).size).toBe(5);
	});

	test('named parameters, media, location, currency, date_time, URL, copy code, OTP and flow buttons', async () => {
		const named = (name: string, value: string) => ({
			type: 'text',
			parameter_name: name,
			text: value,
		});
		const sends = [
			templateSend('order_update', 'es', [
				{ type: 'header', parameters: [named('order_id', 'SC-1')] },
				{
					type: 'body',
					parameters: [
						named('order_id', 'SC-1'),
						named('first_name', 'Emilia'),
						named('delivery_date', 'jueves'),
					],
				},
			]),
			templateSend('taxi_discount', 'en', [
				{
					type: 'header',
					parameters: [{ type: 'image', image: { link: 'https://example.com/taxi.jpg' } }],
				},
				{ type: 'body', parameters: [text('Emilia'), text('October 31')] },
				{ type: 'button', sub_type: 'url', index: '0', parameters: [text('SALUD10-EMILIA')] },
			]),
			templateSend('coupon_code', 'es', [
				{ type: 'body', parameters: [text('Emilia'), text('15 %')] },
				{
					type: 'button',
					sub_type: 'copy_code',
					index: 0,
					parameters: [{ type: 'coupon_code', coupon_code: 'SALUD15' }],
				},
			]),
			templateSend('verification_code', 'en', [
				{ type: 'body', parameters: [text('482913')] },
				{ type: 'button', sub_type: 'url', index: '0', parameters: [text('482913')] },
			]),
			templateSend('branch_location', 'es', [
				{
					type: 'header',
					parameters: [
						{
							type: 'location',
							location: { latitude: -34.58, longitude: -58.42, name: 'Palermo' },
						},
					],
				},
				{ type: 'body', parameters: [text('Emilia'), text('martes')] },
			]),
			templateSend('payment_due', 'es', [
				{
					type: 'body',
					parameters: [
						text('Emilia'),
						{
							type: 'currency',
							currency: { fallback_value: '$12.500,00', code: 'ARS', amount_1000: 12_500_000 },
						},
						{ type: 'date_time', date_time: { fallback_value: '15 de octubre de 2026' } },
					],
				},
			]),
			templateSend('lab_results', 'en', [
				{
					type: 'header',
					parameters: [
						{
							type: 'document',
							document: { link: 'https://lab.example.com/results.pdf', filename: 'results.pdf' },
						},
					],
				},
				{ type: 'body', parameters: [text('Emilia')] },
			]),
			templateSend('pre_visit_form', 'es', [
				{ type: 'body', parameters: [text('Emilia')] },
				{
					type: 'button',
					sub_type: 'flow',
					index: '0',
					parameters: [{ type: 'action', action: { flow_token: 'T1' } }],
				},
			]),
		];
		for (const body of sends) {
			const reply = await send(sandbox.url, body);
			expect({
				template: (body.template as { name: string }).name,
				status: reply.status,
				body: reply.body,
			}).toMatchObject({ status: 200 });
		}
		const rendered = sandbox.control.ledger.all().map((entry) => entry.rendered);
		expect(rendered[0]).toEqual({
			header: 'Pedido SC-1',
			body: 'Hola Emilia, tu pedido SC-1 de SaludCenter está en camino. Llega el jueves.',
		});
		expect(rendered[5]?.body).toContain(
			'saldo pendiente de $12.500,00 con vencimiento el 15 de octubre de 2026',
		);
	});

	test('a body-only template may hydrate past 1,024 characters', async () => {
		const reply = await send(
			sandbox.url,
			templateSend('resume_contact', 'es', [
				{ type: 'body', parameters: [text('E'.repeat(1500)), text('Martín')] },
			]),
		);
		expect(reply.status).toBe(200);
	});
});

describe('template refusals', () => {
	test('132001: unknown name, or a language the template does not have (HTTP 404)', async () => {
		const unknown = await refusal(templateSend('no_such_template', 'es', []), 132001, 404);
		expect(unknown.message).toBe('(#132001) Template name does not exist in the translation');
		expect(unknown.error_data?.details).toBe(
			'template name (no_such_template) does not exist in es',
		);
		const language = await refusal(
			reminder(EMILIA, { template: { name: 'appointment_reminder', language: { code: 'es_AR' } } }),
			132001,
			404,
		);
		expect(language.error_data?.details).toBe(
			'template name (appointment_reminder) does not exist in es_AR',
		);
	});

	test('132001 for PENDING and REJECTED, 132015 for PAUSED, 132016 for DISABLED', async () => {
		await refusal(
			templateSend('holiday_hours', 'es', [{ type: 'body', parameters: [text('a'), text('b')] }]),
			132001,
			404,
		);
		await refusal(
			templateSend('flash_sale', 'en', [{ type: 'body', parameters: [text('50')] }]),
			132001,
			404,
		);
		const paused = await refusal(
			templateSend('survey_invite', 'es', [{ type: 'body', parameters: [text('Emilia')] }]),
			132015,
		);
		expect(paused.message).toBe('(#132015) Template is Paused');
		const disabled = await refusal(
			templateSend('monthly_newsletter', 'en', [{ type: 'body', parameters: [text('Emilia')] }]),
			132016,
		);
		expect(disabled.message).toBe('(#132016) Template is disabled');
	});

	test('a status changed at run time applies to the next send', async () => {
		sandbox.control.setTemplateStatus('appointment_reminder', 'es', 'PAUSED');
		await refusal(reminder(), 132015);
		sandbox.control.reset();
		expect((await send(sandbox.url, reminder())).status).toBe(200);
	});

	test('132000: parameter count mismatch names the component', async () => {
		const error = await refusal(
			templateSend('appointment_reminder', 'es', [{ type: 'body', parameters: [text('Emilia')] }]),
			132000,
		);
		expect(error.message).toBe(
			'(#132000) Number of parameters does not match the expected number of params',
		);
		expect(error.error_data?.details).toBe(
			'body: number of localizable_params (1) does not match the expected number of params (2)',
		);
		const none = await refusal(templateSend('appointment_reminder', 'es', []), 132000);
		expect(none.error_data?.details).toContain(
			'(0) does not match the expected number of params (2)',
		);
	});

	test('132012: a media header missing or of the wrong format', async () => {
		const body = { type: 'body', parameters: [text('Emilia'), text('31')] };
		const button = { type: 'button', sub_type: 'url', index: '0', parameters: [text('X')] };
		const missing = await refusal(templateSend('taxi_discount', 'es', [body, button]), 132012);
		expect(missing.error_data?.details).toBe(
			'header: Format mismatch, expected IMAGE, received UNKNOWN',
		);
		const wrong = await refusal(
			templateSend('taxi_discount', 'es', [
				{ type: 'header', parameters: [text('x')] },
				body,
				button,
			]),
			132012,
		);
		expect(wrong.error_data?.details).toBe(
			'header: Format mismatch, expected IMAGE, received TEXT',
		);
		const bodyImage = await refusal(
			templateSend('appointment_reminder', 'es', [
				{
					type: 'body',
					parameters: [{ type: 'image', image: { link: 'https://x.y/z.jpg' } }, text('b')],
				},
			]),
			132012,
		);
		expect(bodyImage.error_data?.details).toContain('expected TEXT, received IMAGE');
	});

	test('named vs positional', async () => {
		const positionalToNamed = await refusal(
			templateSend('order_update', 'es', [
				{ type: 'header', parameters: [text('SC-1')] },
				{ type: 'body', parameters: [text('Emilia'), text('SC-1'), text('jueves')] },
			]),
			100,
		);
		expect(positionalToNamed.error_data?.details).toContain(
			'parameter_format NAMED needs "parameter_name"',
		);
		const unknownName = await refusal(
			templateSend('order_update', 'es', [
				{
					type: 'header',
					parameters: [{ type: 'text', parameter_name: 'order_id', text: 'SC-1' }],
				},
				{ type: 'body', parameters: [{ type: 'text', parameter_name: 'nombre', text: 'Emilia' }] },
			]),
			100,
		);
		expect(unknownName.error_data?.details).toContain(
			'parameter_name "nombre" does not exist in the template',
		);
		const namedToPositional = await refusal(
			templateSend('appointment_reminder', 'es', [
				{
					type: 'body',
					parameters: [{ type: 'text', parameter_name: 'name', text: 'Emilia' }, text('b')],
				},
			]),
			100,
		);
		expect(namedToPositional.error_data?.details).toContain(
			'only accepted by templates with parameter_format NAMED',
		);
	});

	test.each([
		['a newline', 'Emilia\nPérez'],
		['a tab', 'Emilia\tPérez'],
		['five spaces', 'Emilia     Pérez'],
	])('100: a text parameter with %s', async (_, value) => {
		const error = await refusal(
			templateSend('appointment_reminder', 'es', [
				{ type: 'body', parameters: [text(value), text('b')] },
			]),
			100,
		);
		expect(error.message).toBe('(#100) Invalid parameter');
		expect(error.error_data?.details).toBe(
			'Param text cannot have new-line/tab characters or more than 4 consecutive spaces',
		);
	});

	test('four spaces in a row are allowed', async () => {
		const reply = await send(
			sandbox.url,
			templateSend('appointment_reminder', 'es', [
				{ type: 'body', parameters: [text('Emilia    P'), text('b')] },
			]),
		);
		expect(reply.status).toBe(200);
	});

	test('too long: header parameter over 60 (131009), hydrated body over 1,024 (132005), text over 4,096 (100)', async () => {
		const header = await refusal(
			templateSend('order_update', 'es', [
				{
					type: 'header',
					parameters: [{ type: 'text', parameter_name: 'order_id', text: 'X'.repeat(61) }],
				},
				{
					type: 'body',
					parameters: [
						{ type: 'text', parameter_name: 'first_name', text: 'E' },
						{ type: 'text', parameter_name: 'order_id', text: 'X' },
						{ type: 'text', parameter_name: 'delivery_date', text: 'J' },
					],
				},
			]),
			131009,
		);
		expect(header.error_data?.details).toContain('exceeds the maximum length of 60');
		const body = await refusal(
			templateSend('appointment_reminder', 'es', [
				{ type: 'body', parameters: [text('E'.repeat(1000)), text('b')] },
			]),
			132005,
		);
		expect(body.message).toBe('(#132005) Translated text too long');
		sandbox.control.inbound({ from: EMILIA, text: 'hola' });
		const longText = await refusal(
			{ to: EMILIA, type: 'text', text: { body: 'x'.repeat(4097) } },
			100,
		);
		expect(longText.error_data?.details).toContain('the maximum is 4096');
	});

	test('buttons: missing URL suffix or coupon (132000), wrong sub_type (132012), coupon too long (131009), missing location (131008)', async () => {
		const header = {
			type: 'header',
			parameters: [{ type: 'image', image: { link: 'https://example.com/t.jpg' } }],
		};
		const body = { type: 'body', parameters: [text('Emilia'), text('31')] };
		const noSuffix = await refusal(templateSend('taxi_discount', 'es', [header, body]), 132000);
		expect(noSuffix.error_data?.details).toContain('button at index 0 of type url');
		await refusal(
			templateSend('coupon_code', 'es', [{ type: 'body', parameters: [text('E'), text('15')] }]),
			132000,
		);
		const subType = await refusal(
			templateSend('taxi_discount', 'es', [
				header,
				body,
				{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [] },
			]),
			132012,
		);
		expect(subType.error_data?.details).toBe(
			'button at index 0: Format mismatch, expected url, received quick_reply',
		);
		await refusal(
			templateSend('coupon_code', 'es', [
				{ type: 'body', parameters: [text('E'), text('15')] },
				{
					type: 'button',
					sub_type: 'copy_code',
					index: '0',
					parameters: [{ type: 'coupon_code', coupon_code: 'C'.repeat(16) }],
				},
			]),
			131009,
		);
		await refusal(
			templateSend('branch_location', 'es', [
				{ type: 'header', parameters: [{ type: 'location', location: { name: 'Palermo' } }] },
				{ type: 'body', parameters: [text('E'), text('m')] },
			]),
			131008,
		);
	});
});

describe('recipient and conversation refusals', () => {
	test('100 / 131009 / 131021 for the `to` value', async () => {
		const missing = await refusal({ type: 'text', text: { body: 'hola' } }, 100);
		expect(missing.message).toBe('(#100) The parameter to is required.');
		const letters = await refusal(reminder('emilia'), 100);
		expect(letters.error_data?.details).toContain('not a phone number in international format');
		await refusal(reminder('0054 9 11 5555 1234'), 100);
		const impossible = await refusal(reminder('+54 123'), 131009);
		expect(impossible.message).toBe('(#131009) Parameter value is not valid');
		const own = await refusal(reminder('+54 11 4000 1000'), 131021);
		expect(own.message).toBe('(#131021) Recipient cannot be sender.');
	});

	test('131047: free-form with no inbound message, or the last one 30 hours ago; fine within 24 h', async () => {
		const free = { to: EMILIA, type: 'text', text: { body: 'Hola Emilia, ¿te ayudo?' } };
		const never = await refusal(free, 131047);
		expect(never.message).toBe('(#131047) Re-engagement message');
		expect(never.error_data?.details).toContain('more than 24 hours have passed');
		sandbox.control.inbound({
			from: EMILIA,
			text: 'hola',
			timestamp: new Date(Date.now() - 30 * 3600_000),
		});
		await refusal(free, 131047);
		expect((await send(sandbox.url, reminder())).status).toBe(200); // templates are allowed outside the window
		sandbox.control.inbound({
			from: EMILIA,
			text: 'sigo acá',
			timestamp: Math.floor(Date.now() / 1000) - 23 * 3600,
		});
		const reply = await send(sandbox.url, free);
		expect(reply.status).toBe(200);
		expect(reply.body.messages[0].message_status).toBeUndefined();
	});

	test("130429: more sends at once than the number's throughput", async () => {
		sandbox.control.configure({ throughputMps: 1 });
		const replies = await Promise.all(
			[1, 2, 3, 4, 5].map((n) => send(sandbox.url, reminder(`54911555510${n}0`))),
		);
		const limited = replies.filter((reply) => reply.status === 400);
		expect(limited.length).toBeGreaterThanOrEqual(1);
		expect(graphError(limited[0])).toMatchObject({
			code: 130429,
			message: '(#130429) Rate limit hit',
		});
		expect(sandbox.control.ledger.rejections().some((rejection) => rejection.code === 130429)).toBe(
			true,
		);
	});

	test('131056: pair rate per recipient, configurable; other recipients are unaffected', async () => {
		sandbox.control.configure({ pairRate: { burst: 2, perSecond: 0.001 } });
		expect((await send(sandbox.url, reminder())).status).toBe(200);
		expect((await send(sandbox.url, reminder())).status).toBe(200);
		const error = await refusal(reminder(), 131056);
		expect(error.message).toBe(
			'(#131056) (Business Account, Consumer Account) pair rate limit hit',
		);
		expect((await send(sandbox.url, reminder('5491155550000'))).status).toBe(200);
	});

	test('131050: marketing to a user who stopped marketing messages; utility still goes', async () => {
		sandbox.control.optOut(EMILIA, { notify: false });
		const taxi = templateSend('taxi_discount', 'es', [
			{
				type: 'header',
				parameters: [{ type: 'image', image: { link: 'https://example.com/t.jpg' } }],
			},
			{ type: 'body', parameters: [text('Emilia'), text('31')] },
			{ type: 'button', sub_type: 'url', index: '0', parameters: [text('X')] },
		]);
		const error = await refusal(taxi, 131050);
		expect(error.message).toContain('stop receiving marketing messages');
		expect((await send(sandbox.url, reminder())).status).toBe(200);
		sandbox.control.optIn(EMILIA, { notify: false });
		expect((await send(sandbox.url, taxi)).status).toBe(200);
	});

	test('131026: a number that is not on WhatsApp', async () => {
		sandbox.control.notOnWhatsApp(EMILIA);
		const error = await refusal(reminder(), 131026);
		expect(error.message).toBe('(#131026) Message Undeliverable.');
	});

	test('131051: an unsupported message type; 100 for a body that is not JSON', async () => {
		await refusal({ to: EMILIA, type: 'hologram', hologram: {} }, 131051);
		const reply = await call(`${sandbox.url}/v24.0/${PHONE}/messages`, { body: '{not json' });
		expect(graphError(reply).code).toBe(100);
	});

	test("refusals are in the ledger's rejections, not among the messages", async () => {
		await send(sandbox.url, templateSend('no_such_template', 'es', []));
		expect(sandbox.control.ledger.count()).toBe(0);
		expect(sandbox.control.ledger.rejections()).toEqual([
			expect.objectContaining({
				code: 132001,
				http: 404,
				provider: 'meta',
				to: EMILIA,
				template: 'no_such_template',
			}),
		]);
		expect(sandbox.control.ledger.stats()).toMatchObject({
			accepted: 0,
			rejected: 1,
			rejectedByCode: { 132001: 1 },
		});
	});
});
