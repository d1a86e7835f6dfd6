/**
 * End to end on loopback: the project's WhatsApp sandbox sends signed webhooks (inbound text, an ad
 * referral, a template's status updates, a quick-reply tap, a marketing opt-out, a 131050 failure) to a
 * receiver built on this library, which must accept every one and normalise it as Meta's would be.
 */
import type { Server } from 'node:http';
import {
	encodeCallbackData,
	type MessageEvent,
	type OtherEvent,
	type StatusEvent,
} from '../../lib/webhook';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { startReceiver, type Received } from './receiver';

const APP_SECRET = 'sandbox-e2e-app-secret';
const EMILIA = '5491155551234';

describe('sandbox → webhook receiver', () => {
	let sandbox: RunningSandbox;
	let server: Server;
	const received: Received = { events: [], optChanges: [], duplicates: 0, statuses: [] };

	beforeAll(async () => {
		const receiver = await startReceiver(received, APP_SECRET);
		server = receiver.server;
		sandbox = await startSandbox({
			webhookUrl: receiver.url,
			appSecret: APP_SECRET,
			statusDelayMs: 5,
			undeliverableAs: 'status',
			seed: 5,
		});
	});

	afterAll(async () => {
		await sandbox?.stop();
		server?.closeAllConnections();
		await new Promise((resolve) => server?.close(resolve));
	});

	async function sendTemplate(
		name: string,
		components: unknown[],
		callback: string,
	): Promise<string> {
		const response = await fetch(`${sandbox.url}/v24.0/1000000001/messages`, {
			method: 'POST',
			headers: { authorization: 'Bearer sandbox-token', 'content-type': 'application/json' },
			body: JSON.stringify({
				messaging_product: 'whatsapp',
				to: EMILIA,
				type: 'template',
				biz_opaque_callback_data: callback,
				template: { name, language: { code: 'es' }, components },
			}),
		});
		const body = (await response.json()) as { messages?: Array<{ id: string }>; error?: unknown };
		if (!response.ok || !body.messages)
			throw new Error(`send ${name}: ${response.status} ${JSON.stringify(body)}`);
		return body.messages[0].id;
	}

	it('every webhook is verified, parsed and normalised', async () => {
		sandbox.control.say(`contact +${EMILIA} named Emilia says hola, ¿tienen turno? 🙂`);
		sandbox.control.say('contact +54 9 11 5555 9999 named Tomás says quiero info from ad');
		const reminder = await sendTemplate(
			'appointment_reminder',
			[
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: 'Emilia' },
						{ type: 'text', text: 'martes 14, 8:30 h' },
					],
				},
			],
			encodeCallbackData({ campaignId: 'recordatorios-oct', recipient: EMILIA }),
		);
		await sandbox.control.waitForWebhooksIdle(10_000);
		sandbox.control.say('Emilia taps Confirmar');
		sandbox.control.say('Emilia opts out');
		const coupon = await sendTemplate(
			'coupon_code',
			[
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: 'Emilia' },
						{ type: 'text', text: '15 %' },
					],
				},
				{
					type: 'button',
					sub_type: 'copy_code',
					index: '0',
					parameters: [{ type: 'coupon_code', coupon_code: 'SALUD15' }],
				},
			],
			encodeCallbackData({ campaignId: 'cupones', recipient: EMILIA }),
		);
		await sandbox.control.waitForWebhooksIdle(10_000);

		expect(received.statuses.length).toBeGreaterThan(0);
		expect(received.statuses.every((status) => status === 200)).toBe(true);

		const inbound = received.events.filter(
			(event): event is MessageEvent => event.kind === 'message',
		);
		expect(inbound.find((event) => event.text === 'hola, ¿tienen turno? 🙂')).toMatchObject({
			type: 'text',
			wa_id: EMILIA,
			name: 'Emilia',
			phoneNumberId: '1000000001',
		});
		expect(inbound.find((event) => event.text === 'quiero info')).toMatchObject({
			name: 'Tomás',
			referral: expect.objectContaining({
				source_type: 'ad',
				welcome_message: { text: expect.stringContaining('¡Hola!') },
			}),
		});
		expect(inbound.find((event) => event.type === 'button')).toMatchObject({
			text: 'Confirmar',
			wa_id: EMILIA,
			context: expect.objectContaining({ id: reminder }),
		});

		const statuses = received.events.filter(
			(event): event is StatusEvent => event.kind === 'status',
		);
		const reminderStatuses = statuses.filter((event) => event.id === reminder);
		expect(reminderStatuses.map((event) => event.status).sort()).toEqual([
			'delivered',
			'read',
			'sent',
		]);
		for (const event of reminderStatuses) {
			expect(event).toMatchObject({
				campaignId: 'recordatorios-oct',
				callbackData: { recipient: EMILIA },
				recipientId: EMILIA,
			});
		}
		expect(statuses.find((event) => event.id === coupon)).toMatchObject({
			status: 'failed',
			campaignId: 'cupones',
			errors: [expect.objectContaining({ code: 131050, retry: 'stop' })],
		});

		const preferences = received.events.filter(
			(event): event is OtherEvent => event.kind === 'other' && event.type === 'user_preferences',
		);
		expect(preferences).toHaveLength(1);
		expect(
			received.optChanges.map((opt) => [opt.change, opt.reason, opt.scope, opt.wa_id]).sort(),
		).toEqual([
			['opt-out', 'error-131050', 'marketing', EMILIA],
			['opt-out', 'user-preferences', 'marketing', EMILIA],
		]);
	});

	it('a template status update (entry with time, message_template_category) is verified and dated by entry.time', async () => {
		const before = Date.now();
		sandbox.control.setTemplateStatus('taxi_discount', 'es', 'PAUSED', 'NONE');
		await sandbox.control.waitForWebhooksIdle(10_000);
		expect(received.statuses.every((status) => status === 200)).toBe(true);
		const update = received.events.find(
			(event): event is OtherEvent =>
				event.kind === 'other' && event.type === 'message_template_status_update',
		);
		expect(update).toBeDefined();
		expect(update!.raw).toMatchObject({
			event: 'PAUSED',
			message_template_name: 'taxi_discount',
			message_template_category: 'MARKETING',
		});
		expect(update!.timestampMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
		expect(update!.timestampMs).toBeLessThanOrEqual(Date.now());
	});
});
