/** Signed webhooks in Meta's shape: statuses, pricing, failures, inbound messages and taps, batching, retries. */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import {
	APP_SECRET,
	EMILIA,
	PHONE,
	WABA,
	reminder,
	send,
	sign,
	startReceiver,
	templateSend,
	text,
	type Receiver,
} from './helpers';

let sandbox: RunningSandbox;
let receiver: Receiver;
let answer: (n: number) => number = () => 200;

beforeAll(async () => {
	receiver = await startReceiver((n) => answer(n));
	// Statuses wait for flushWebhooks() (one POST, in order) unless a test shortens the delay: POSTs sent
	// concurrently may land in any order, and most tests here compare sequences.
	sandbox = await startSandbox({
		throughputMps: 1000,
		webhookUrl: receiver.url,
		statusDelayMs: 60_000,
	});
});
afterAll(async () => {
	await sandbox.stop();
	await receiver.close();
});
beforeEach(async () => {
	await sandbox.control.flushWebhooks();
	sandbox.control.reset();
	sandbox.control.configure({ throughputMps: 1000 });
	receiver.received.length = 0;
	answer = () => 200;
});

const taxi = (to = EMILIA) =>
	templateSend(
		'taxi_discount',
		'es',
		[
			{
				type: 'header',
				parameters: [{ type: 'image', image: { link: 'https://example.com/t.jpg' } }],
			},
			{ type: 'body', parameters: [text('Emilia'), text('31')] },
			{ type: 'button', sub_type: 'url', index: '0', parameters: [text('X')] },
		],
		to,
	);

describe('signatures', () => {
	test('X-Hub-Signature-256 is the HMAC of the raw bytes with the app secret, and fails with another secret', async () => {
		await send(sandbox.url, reminder());
		await sandbox.control.flushWebhooks();
		expect(receiver.received.length).toBeGreaterThan(0);
		for (const webhook of receiver.received) {
			expect(webhook.headers['x-hub-signature-256']).toBe(sign(webhook.raw, APP_SECRET));
			expect(webhook.headers['x-hub-signature-256']).not.toBe(sign(webhook.raw, 'another-secret'));
			expect(webhook.headers['content-type']).toBe('application/json');
		}
	});

	test('non-ASCII text travels as \\uXXXX escapes (lowercase hex, emoji as surrogate pairs) and the signature covers those bytes, as Meta does', async () => {
		sandbox.control.inbound({ from: EMILIA, name: 'Emilia Núñez', text: '¿Mañana a las 9? 👍' });
		await sandbox.control.flushWebhooks();
		const [webhook] = receiver.received;
		const raw = webhook.raw.toString('latin1');
		expect(raw).toContain('"body":"\\u00bfMa\\u00f1ana a las 9? \\ud83d\\udc4d"');
		expect(raw).toContain('"name":"Emilia N\\u00fa\\u00f1ez"');
		expect([...webhook.raw].every((byte) => byte < 0x80)).toBe(true);
		expect(webhook.headers['x-hub-signature-256']).toBe(sign(webhook.raw, APP_SECRET));
		// Hashing the UTF-8 re-encoding of the parsed body (what some verifiers do) does not give Meta's signature.
		expect(webhook.headers['x-hub-signature-256']).not.toBe(
			sign(Buffer.from(JSON.stringify(webhook.json), 'utf8'), APP_SECRET),
		);
		expect(receiver.messages()[0].text.body).toBe('¿Mañana a las 9? 👍');
	});

	test('a custom app secret signs instead', async () => {
		const own = await startReceiver();
		const custom = await startSandbox({ appSecret: 'my-app-secret', webhookUrl: own.url });
		try {
			custom.control.inbound({ from: EMILIA, text: 'hola' });
			await custom.control.flushWebhooks();
			expect(own.received[0].headers['x-hub-signature-256']).toBe(
				sign(own.received[0].raw, 'my-app-secret'),
			);
			expect(own.received[0].headers['x-hub-signature-256']).not.toBe(
				sign(own.received[0].raw, APP_SECRET),
			);
		} finally {
			await custom.stop();
			await own.close();
		}
	});
});

describe('statuses', () => {
	test("sent → delivered → read in Meta's shape, echoing biz_opaque_callback_data and pricing", async () => {
		sandbox.control.configure({ statusDelayMs: 5 });
		const reply = await send(
			sandbox.url,
			reminder(EMILIA, { biz_opaque_callback_data: 'campaign-7:row-1' }),
		);
		const id = reply.body.messages[0].id;
		await sandbox.control.waitForWebhooksIdle();
		const webhook = receiver.received[0].json;
		expect(webhook.object).toBe('whatsapp_business_account');
		expect(webhook.entry[0].id).toBe(WABA);
		// Each status goes in its own POST here, and concurrent POSTs may land in any order (as with Meta).
		const sent = receiver.changes().find((change) => change.value.statuses[0].status === 'sent');
		expect(sent).toEqual({
			field: 'messages',
			value: {
				messaging_product: 'whatsapp',
				metadata: { display_phone_number: '541140001000', phone_number_id: PHONE },
				statuses: [
					{
						id,
						status: 'sent',
						timestamp: expect.stringMatching(/^\d{10}$/),
						recipient_id: EMILIA,
						biz_opaque_callback_data: 'campaign-7:row-1',
						pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
					},
				],
			},
		});
		expect(
			receiver
				.statuses()
				.map((s) => s.status)
				.sort(),
		).toEqual(['delivered', 'read', 'sent']);
		expect(
			receiver
				.statuses()
				.every((s) => s.id === id && s.biz_opaque_callback_data === 'campaign-7:row-1'),
		).toBe(true);
		expect(sandbox.control.ledger.get(id)?.status).toBe('read');
	});

	test('pricing: utility inside the window is free, marketing is regular, a reply to an ad is a free entry point, free-form is service', async () => {
		await send(sandbox.url, taxi());
		sandbox.control.inbound({ from: EMILIA, text: 'hola' });
		await send(sandbox.url, reminder());
		await send(sandbox.url, { to: EMILIA, type: 'text', text: { body: 'Hola Emilia' } });
		sandbox.control.inbound({ from: '5491155550002', text: 'vi el anuncio', referral: true });
		await send(sandbox.url, taxi('5491155550002'));
		await sandbox.control.flushWebhooks();
		const sent = receiver.statuses().filter((s) => s.status === 'sent');
		expect(sent.map((s) => s.pricing)).toEqual([
			{ billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
			{ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'utility' },
			{ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' },
			{ billable: false, pricing_model: 'PMP', type: 'free_entry_point', category: 'marketing' },
		]);
		expect(sent[3].conversation).toEqual({
			id: expect.any(String),
			expiration_timestamp: expect.stringMatching(/^\d+$/),
			origin: { type: 'referral_conversion' },
		});
		expect(sent[0].conversation).toBeUndefined();
	});

	test('undeliverableAs "status": accepted, then `failed` with the error (131047, 131026)', async () => {
		sandbox.control.configure({ undeliverableAs: 'status' });
		sandbox.control.notOnWhatsApp('5491155550003');
		const free = await send(sandbox.url, {
			to: EMILIA,
			type: 'text',
			text: { body: 'hola' },
			biz_opaque_callback_data: 'cb',
		});
		const ghost = await send(sandbox.url, reminder('5491155550003'));
		expect([free.status, ghost.status]).toEqual([200, 200]);
		await sandbox.control.flushWebhooks();
		expect(receiver.statuses()).toEqual([
			{
				id: free.body.messages[0].id,
				status: 'failed',
				timestamp: expect.any(String),
				recipient_id: EMILIA,
				biz_opaque_callback_data: 'cb',
				errors: [
					{
						code: 131047,
						title: 'Re-engagement message',
						message: 'Re-engagement message',
						error_data: { details: expect.stringContaining('more than 24 hours') },
						href: expect.any(String),
					},
				],
			},
			expect.objectContaining({
				id: ghost.body.messages[0].id,
				status: 'failed',
				errors: [expect.objectContaining({ code: 131026 })],
			}),
		]);
		expect(sandbox.control.ledger.get(free.body.messages[0].id)).toMatchObject({
			status: 'failed',
			errorCode: 131047,
		});
	});

	test('marketing to a US number is accepted, then fails with 131049', async () => {
		const reply = await send(sandbox.url, taxi('12025550123'));
		expect(reply.status).toBe(200);
		await sandbox.control.flushWebhooks();
		expect(receiver.statuses()).toEqual([
			expect.objectContaining({
				status: 'failed',
				errors: [expect.objectContaining({ code: 131049 })],
			}),
		]);
	});

	test('a readRate of 0 stops at delivered', async () => {
		sandbox.control.configure({ readRate: 0 });
		await send(sandbox.url, reminder());
		await sandbox.control.flushWebhooks();
		expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered']);
	});

	test('with no webhook URL, statuses still advance in the ledger', async () => {
		sandbox.control.setWebhookUrl(null);
		const reply = await send(sandbox.url, reminder());
		await sandbox.control.flushWebhooks();
		expect(receiver.received).toHaveLength(0);
		expect(sandbox.control.ledger.get(reply.body.messages[0].id)?.status).toBe('read');
	});
});

describe('inbound messages', () => {
	test("a text, 30 hours in the past, with the contact's profile name", async () => {
		const at = Math.floor(Date.now() / 1000) - 30 * 3600;
		const result = sandbox.control.inbound({
			from: '+54 9 11 5555 1234',
			name: 'Emilia',
			text: 'hola',
			timestamp: at,
		});
		await sandbox.control.flushWebhooks();
		expect(receiver.changes()).toEqual([
			{
				field: 'messages',
				value: {
					messaging_product: 'whatsapp',
					metadata: { display_phone_number: '541140001000', phone_number_id: PHONE },
					contacts: [{ profile: { name: 'Emilia' }, wa_id: EMILIA }],
					messages: [
						{
							from: EMILIA,
							id: result.id,
							timestamp: String(at),
							type: 'text',
							text: { body: 'hola' },
						},
					],
				},
			},
		]);
		expect(sandbox.control.contact('Emilia')?.lastInboundAt).toBe(at * 1000);
	});

	test('a referral from a click-to-WhatsApp ad', async () => {
		sandbox.control.inbound({
			from: EMILIA,
			text: 'Quiero un turno',
			referral: { source_url: 'https://fb.me/abc', headline: 'Turnos' },
		});
		await sandbox.control.flushWebhooks();
		expect(receiver.messages()[0].referral).toMatchObject({
			source_url: 'https://fb.me/abc',
			source_type: 'ad',
			headline: 'Turnos',
			ctwa_clid: expect.any(String),
			welcome_message: { text: expect.any(String) },
		});
	});

	test('an ad in a WhatsApp Status placement has neither ctwa_clid nor welcome_message (null leaves a key out), as Meta documents', async () => {
		sandbox.control.inbound({
			from: EMILIA,
			text: 'Vi tu estado',
			referral: { welcome_message: null, ctwa_clid: null },
		});
		await sandbox.control.flushWebhooks();
		const referral = receiver.messages()[0].referral;
		expect(referral).toMatchObject({ source_type: 'ad', source_id: expect.any(String) });
		expect(referral).not.toHaveProperty('welcome_message');
		expect(referral).not.toHaveProperty('ctwa_clid');
	});

	test('"taps" answers the last template\'s quick reply with the payload the business sent, in context', async () => {
		sandbox.control.say('contact +54 9 11 5555 1234 named Emilia');
		const sent = await send(sandbox.url, {
			...reminder(),
			template: {
				name: 'appointment_reminder',
				language: { code: 'es' },
				components: [
					{ type: 'body', parameters: [text('Emilia'), text('martes')] },
					{
						type: 'button',
						sub_type: 'quick_reply',
						index: '0',
						parameters: [{ type: 'payload', payload: 'CONFIRM:appt-42' }],
					},
				],
			},
		});
		const tapped = sandbox.control.say('Emilia taps Confirm');
		sandbox.control.say('Emilia taps cancelar');
		await sandbox.control.flushWebhooks();
		const [confirm, cancel] = receiver.messages();
		expect(confirm).toEqual({
			from: EMILIA,
			id: tapped.inbound!.id,
			timestamp: expect.any(String),
			type: 'button',
			button: { payload: 'CONFIRM:appt-42', text: 'Confirmar' },
			context: { from: '541140001000', id: sent.body.messages[0].id },
		});
		expect(cancel.button).toEqual({ payload: 'Cancelar', text: 'Cancelar' });
		const inbound = receiver.changes().filter((change) => change.value.messages);
		expect(inbound[0].value.contacts).toEqual([{ profile: { name: 'Emilia' }, wa_id: EMILIA }]);
	});

	test('"taps" on an interactive reply button sends interactive.button_reply', async () => {
		sandbox.control.inbound({ from: EMILIA, name: 'Emilia', text: 'hola' });
		await send(sandbox.url, {
			to: EMILIA,
			type: 'interactive',
			interactive: {
				type: 'button',
				body: { text: '¿Confirmás?' },
				action: {
					buttons: [
						{ type: 'reply', reply: { id: 'yes-1', title: 'Sí' } },
						{ type: 'reply', reply: { id: 'no-1', title: 'No' } },
					],
				},
			},
		});
		sandbox.control.tap(EMILIA, 'si');
		await sandbox.control.flushWebhooks();
		expect(receiver.messages()[1]).toMatchObject({
			type: 'interactive',
			interactive: { type: 'button_reply', button_reply: { id: 'yes-1', title: 'Sí' } },
		});
	});

	test('a tap with nothing to tap, or an unknown button, is refused with a reason', async () => {
		expect(() => sandbox.control.tap(EMILIA, 'Confirm')).toThrow(/no message with reply buttons/);
		await send(sandbox.url, reminder());
		expect(() => sandbox.control.tap(EMILIA, 'Maybe')).toThrow(
			'"Maybe" is not a button of template appointment_reminder (buttons: Confirmar, Cancelar)',
		);
	});

	test('an inbound message opens the window for free-form replies', async () => {
		sandbox.control.inbound({ from: EMILIA, text: 'hola' });
		expect(
			(await send(sandbox.url, { to: EMILIA, type: 'text', text: { body: '¡Hola!' } })).status,
		).toBe(200);
	});
});

describe('other fields', () => {
	test('opting out posts user_preferences; a template status change posts message_template_status_update', async () => {
		sandbox.control.optOut(EMILIA);
		sandbox.control.setTemplateStatus('taxi_discount', 'en', 'PAUSED', 'LOW_QUALITY');
		await sandbox.control.flushWebhooks();
		const before = Math.floor(Date.now() / 1000);
		const [preferences, template] = receiver.changes();
		expect(preferences).toMatchObject({
			field: 'user_preferences',
			value: {
				user_preferences: [
					{
						wa_id: EMILIA,
						category: 'marketing_messages',
						value: 'stop',
						timestamp: expect.any(Number),
					},
				],
			},
		});
		expect(template).toEqual({
			field: 'message_template_status_update',
			value: {
				event: 'PAUSED',
				message_template_id: expect.any(Number),
				message_template_name: 'taxi_discount',
				message_template_language: 'en',
				reason: 'LOW_QUALITY',
				message_template_category: 'MARKETING',
			},
		});
		// Meta's template status entry carries `time` (when the webhook was triggered); message entries do not.
		const entries = receiver.received.flatMap((webhook) => webhook.json.entry);
		const templateEntry = entries.find((entry) =>
			entry.changes.some((change) => change.field === 'message_template_status_update'),
		)!;
		expect(Object.keys(templateEntry)).toEqual(['id', 'time', 'changes']);
		expect(templateEntry.time).toBeGreaterThanOrEqual(before - 60);
		expect(templateEntry.time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
		expect(Number.isInteger(templateEntry.time)).toBe(true);
		const preferencesEntry = entries.find((entry) =>
			entry.changes.some((change) => change.field === 'user_preferences'),
		)!;
		expect(preferencesEntry).not.toHaveProperty('time');
	});
});

describe('delivery', () => {
	test("by default one change per POST (Meta's usual shape), each POST signed", async () => {
		for (let n = 0; n < 10; n++) await send(sandbox.url, reminder(`54911555510${n}0`));
		await sandbox.control.flushWebhooks();
		expect(receiver.statuses()).toHaveLength(30);
		expect(receiver.received).toHaveLength(30);
		for (const webhook of receiver.received) {
			expect(webhook.changes).toHaveLength(1);
			expect(webhook.headers['x-hub-signature-256']).toBe(sign(webhook.raw, APP_SECRET));
		}
	});

	test('with a batch size, pending changes are batched into one POST, each POST signed; the batch size is respected', async () => {
		sandbox.control.configure({ webhookBatchSize: 1000 });
		for (let n = 0; n < 30; n++)
			await send(sandbox.url, reminder(`54911555520${String(n).padStart(2, '0')}`));
		await sandbox.control.flushWebhooks();
		expect(receiver.statuses()).toHaveLength(90);
		expect(Math.max(...receiver.received.map((w) => w.changes.length))).toBeGreaterThan(1);
		expect(receiver.received.length).toBeLessThan(90);
		for (const webhook of receiver.received)
			expect(webhook.headers['x-hub-signature-256']).toBe(sign(webhook.raw, APP_SECRET));

		receiver.received.length = 0;
		sandbox.control.reset();
		sandbox.control.configure({ throughputMps: 1000, webhookBatchSize: 7 });
		for (let n = 0; n < 10; n++) await send(sandbox.url, reminder(`54911555530${n}0`));
		await sandbox.control.flushWebhooks();
		expect(receiver.statuses()).toHaveLength(30);
		expect(Math.max(...receiver.received.map((w) => w.changes.length))).toBe(7);
	});

	test('a receiver answering non-2xx gets the same bytes again, with backoff, until it accepts', async () => {
		sandbox.control.setFaults({ webhookRetry: { maxAttempts: 5, initialDelayMs: 5, factor: 2 } });
		let failures = 2;
		answer = () => (failures-- > 0 ? 500 : 200);
		sandbox.control.inbound({ from: EMILIA, text: 'hola' });
		await sandbox.control.waitForWebhooksIdle();
		const attempts = sandbox.control.webhookDeliveries();
		expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
			[1, 500],
			[2, 500],
			[3, 200],
		]);
		expect(new Set(attempts.map((a) => a.batch)).size).toBe(1);
		expect(receiver.messages().map((m) => m.text.body)).toEqual(['hola']);
	});

	test('after maxAttempts the delivery is given up, and the sandbox is idle again', async () => {
		sandbox.control.setFaults({ webhookRetry: { maxAttempts: 3, initialDelayMs: 1, factor: 1 } });
		answer = () => 503;
		sandbox.control.inbound({ from: EMILIA, text: 'hola' });
		await sandbox.control.waitForWebhooksIdle();
		expect(sandbox.control.webhookDeliveries().map((a) => a.status)).toEqual([503, 503, 503]);
		expect(sandbox.control.pendingWebhooks()).toEqual({
			scheduled: 0,
			ready: 0,
			inFlight: 0,
			retrying: 0,
		});
	});

	test('an unreachable receiver is recorded with status 0 and the reason', async () => {
		sandbox.control.setWebhookUrl('http://127.0.0.1:9/unreachable');
		sandbox.control.setFaults({ webhookRetry: { maxAttempts: 1, initialDelayMs: 1, factor: 1 } });
		sandbox.control.inbound({ from: EMILIA, text: 'hola' });
		await sandbox.control.flushWebhooks();
		expect(sandbox.control.webhookDeliveries()).toEqual([
			expect.objectContaining({ status: 0, error: expect.stringContaining('ECONNREFUSED') }),
		]);
	});
});
