/** The read endpoints, both providers' auth, subscriptions and the ledger, over real HTTP. */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import {
	EMILIA,
	PHONE,
	TOKEN,
	WABA,
	call,
	graphError,
	reminder,
	send,
	startReceiver,
	templateSend,
	text,
} from './helpers';

let sandbox: RunningSandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ throughputMps: 1000 });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
	sandbox.control.reset();
	sandbox.control.configure({ throughputMps: 1000 });
});

describe('Graph API auth', () => {
	test("a wrong token: 401 with Meta's OAuthException (code 190)", async () => {
		const reply = await send(sandbox.url, reminder(), 'not-the-token');
		expect(reply.status).toBe(401);
		expect(reply.body).toEqual({
			error: {
				message: 'Invalid OAuth access token - Cannot parse access token',
				type: 'OAuthException',
				code: 190,
				fbtrace_id: expect.any(String),
			},
		});
		expect(reply.headers.get('www-authenticate')).toContain('invalid_token');
		expect(sandbox.control.ledger.count()).toBe(0);
	});

	test('no token: 401, code 104', async () => {
		const reply = await call(`${sandbox.url}/v24.0/${PHONE}`, { token: null });
		expect(reply.status).toBe(401);
		expect(graphError(reply).code).toBe(104);
	});

	test('the token as ?access_token= works too', async () => {
		const reply = await call(
			`${sandbox.url}/v24.0/${PHONE}?fields=quality_rating&access_token=${TOKEN}`,
			{ token: null },
		);
		expect(reply).toMatchObject({ status: 200, body: { id: PHONE, quality_rating: 'GREEN' } });
	});

	test('a custom token replaces the default', async () => {
		const custom = await startSandbox({ accessToken: 'custom-token-123' });
		try {
			expect((await call(`${custom.url}/v24.0/${PHONE}`)).status).toBe(401);
			expect(
				(await call(`${custom.url}/v24.0/${PHONE}`, { token: 'custom-token-123' })).status,
			).toBe(200);
		} finally {
			await custom.stop();
		}
	});
});

describe('paths and objects', () => {
	test('an unknown object id: code 100, subcode 33', async () => {
		const reply = await call(`${sandbox.url}/v24.0/999/messages`, { body: reminder() });
		expect(reply.status).toBe(400);
		expect(graphError(reply)).toMatchObject({
			code: 100,
			error_subcode: 33,
			message: expect.stringContaining("Object with ID '999' does not exist"),
		});
	});

	test('templates asked of the phone number instead of the WABA say which node type it is', async () => {
		const reply = await call(`${sandbox.url}/v24.0/${PHONE}/message_templates`);
		expect(graphError(reply).message).toBe(
			'(#100) Tried accessing nonexisting field (message_templates) on node type (WhatsAppBusinessPhoneNumber)',
		);
	});

	test('a path without a version: 2500', async () => {
		const reply = await call(`${sandbox.url}/${PHONE}/messages`, { body: reminder() });
		expect(graphError(reply).code).toBe(2500);
	});
});

describe('phone number', () => {
	test('fields=throughput,quality_rating,whatsapp_business_manager_messaging_limit', async () => {
		sandbox.control.configure({ throughputMps: 80 });
		const reply = await call(
			`${sandbox.url}/v24.0/${PHONE}?fields=throughput,quality_rating,whatsapp_business_manager_messaging_limit,display_phone_number,verified_name`,
		);
		expect(reply.body).toEqual({
			id: PHONE,
			throughput: { level: 'STANDARD' },
			quality_rating: 'GREEN',
			whatsapp_business_manager_messaging_limit: 'TIER_UNLIMITED',
			display_phone_number: '+54 11 4000 1000',
			verified_name: 'SaludCenter (Sandbox)',
		});
	});

	test('settings show through: 1,000 mps is HIGH, quality and tier as configured', async () => {
		sandbox.control.configure({
			throughputMps: 1000,
			qualityRating: 'YELLOW',
			messagingLimitTier: 'TIER_2K',
		});
		const reply = await call(
			`${sandbox.url}/v24.0/${PHONE}?fields=throughput,quality_rating,whatsapp_business_manager_messaging_limit`,
		);
		expect(reply.body).toMatchObject({
			throughput: { level: 'HIGH' },
			quality_rating: 'YELLOW',
			whatsapp_business_manager_messaging_limit: 'TIER_2K',
		});
	});

	test('an unknown field is refused by name', async () => {
		const reply = await call(`${sandbox.url}/v24.0/${PHONE}?fields=quality_rating,colour`);
		expect(graphError(reply).message).toBe(
			'(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)',
		);
	});

	test('without fields, the default set', async () => {
		const reply = await call(`${sandbox.url}/v24.0/${PHONE}`);
		expect(reply.body).toMatchObject({
			id: PHONE,
			verified_name: expect.any(String),
			code_verification_status: 'VERIFIED',
			platform_type: 'CLOUD_API',
		});
	});
});

describe('message_templates', () => {
	const list = (query: string) => call(`${sandbox.url}/v24.0/${WABA}/message_templates${query}`);

	test('pages with limit and after until paging.next is absent, covering the whole catalogue once', async () => {
		const seen: string[] = [];
		let reply = await list(
			'?fields=name,language,status,category,components,parameter_format&limit=4',
		);
		let pages = 1;
		for (;;) {
			expect(reply.status).toBe(200);
			expect(reply.body.data.length).toBeLessThanOrEqual(4);
			for (const template of reply.body.data) seen.push(`${template.name}/${template.language}`);
			expect(reply.body.paging.cursors).toEqual({
				before: expect.any(String),
				after: expect.any(String),
			});
			if (!reply.body.paging.next) break;
			expect(reply.body.paging.next).not.toContain('access_token');
			reply = await call(reply.body.paging.next);
			pages++;
		}
		const all = sandbox.control.templates();
		expect(pages).toBe(Math.ceil(all.length / 4));
		expect(seen).toEqual(all.map((template) => `${template.name}/${template.language}`));
	});

	test('the after cursor continues where the page ended', async () => {
		const first = await list('?limit=2');
		const second = await list(
			`?limit=2&after=${encodeURIComponent(first.body.paging.cursors.after)}`,
		);
		const all = sandbox.control.templates();
		expect(second.body.data.map((t: { id: string }) => t.id)).toEqual([all[2].id, all[3].id]);
		expect(second.body.paging.previous).toContain('before=');
	});

	test('fields limits what each template carries (id always)', async () => {
		const reply = await list('?fields=name,status&limit=1');
		expect(reply.body.data).toEqual([
			{ id: expect.any(String), name: 'appointment_reminder', status: 'APPROVED' },
		]);
	});

	test("Meta's template shape with examples, named parameters and statuses", async () => {
		const reply = await list('?limit=100');
		const byKey = new Map(
			reply.body.data.map((t: { name: string; language: string }) => [
				`${t.name}/${t.language}`,
				t,
			]),
		);
		expect(byKey.get('appointment_reminder/en')).toMatchObject({
			category: 'UTILITY',
			status: 'APPROVED',
			parameter_format: 'POSITIONAL',
			components: expect.arrayContaining([
				{
					type: 'BODY',
					text: expect.stringContaining('{{1}}'),
					example: { body_text: [expect.any(Array)] },
				},
				{
					type: 'BUTTONS',
					buttons: [
						{ type: 'QUICK_REPLY', text: 'Confirm' },
						{ type: 'QUICK_REPLY', text: 'Cancel' },
					],
				},
			]),
		});
		expect(byKey.get('order_update/es')).toMatchObject({ parameter_format: 'NAMED' });
		const statuses = reply.body.data.map((t: { status: string }) => t.status);
		expect(new Set(statuses)).toEqual(
			new Set(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED']),
		);
	});

	test('filters by status, name and language', async () => {
		const approvedEs = await list('?status=APPROVED&language=es&limit=100');
		expect(
			approvedEs.body.data.every(
				(t: { status: string; language: string }) => t.status === 'APPROVED' && t.language === 'es',
			),
		).toBe(true);
		const named = await list('?name=taxi');
		expect(named.body.data.map((t: { name: string }) => t.name)).toEqual([
			'taxi_discount',
			'taxi_discount',
		]);
	});

	test('a bad cursor or limit is refused', async () => {
		expect(graphError(await list('?after=bm9wZQ==')).code).toBe(100);
		expect(graphError(await list('?limit=0')).code).toBe(100);
	});
});

describe('360dialog', () => {
	const d360 = (path: string, body?: unknown, key = 'sandbox-d360-key') =>
		call(`${sandbox.url}${path}`, { token: null, headers: { 'D360-API-KEY': key }, body });

	test('POST /messages with D360-API-KEY sends, recorded as 360dialog', async () => {
		const reply = await d360('/messages', { messaging_product: 'whatsapp', ...reminder() });
		expect(reply.status).toBe(200);
		expect(reply.body.messages[0].id).toMatch(/^wamid\./);
		expect(sandbox.control.ledger.all()[0].provider).toBe('360dialog');
	});

	test('the same rules and Meta error bodies apply', async () => {
		const reply = await d360('/messages', {
			messaging_product: 'whatsapp',
			...templateSend('appointment_reminder', 'es', [{ type: 'body', parameters: [text('E')] }]),
		});
		expect(graphError(reply).code).toBe(132000);
	});

	test('a wrong or missing key: 401; a Bearer token is not a D360 key', async () => {
		expect((await d360('/messages', reminder(), 'wrong')).status).toBe(401);
		const bearer = await call(`${sandbox.url}/messages`, { body: reminder() });
		expect(bearer.status).toBe(401);
		expect(bearer.body.meta.developer_message).toBe('Missing D360-API-KEY header');
	});

	test("GET /v1/configs/templates in 360dialog's envelope, with offset paging", async () => {
		const reply = await d360('/v1/configs/templates?limit=5&offset=5');
		const all = sandbox.control.templates();
		expect(reply.body).toMatchObject({ count: 5, limit: 5, offset: 5, total: all.length });
		expect(reply.body.waba_templates.map((t: { name: string }) => t.name)).toEqual(
			all.slice(5, 10).map((t) => t.name),
		);
		expect(reply.body.waba_templates[0]).toMatchObject({
			namespace: expect.any(String),
			components: expect.any(Array),
		});
	});

	test('POST /v1/configs/webhook sets a receiver that gets the custom headers', async () => {
		const receiver = await startReceiver();
		try {
			const set = await d360('/v1/configs/webhook', {
				url: receiver.url,
				headers: { 'x-shared-secret': 'abc' },
			});
			expect(set.body).toEqual({ url: receiver.url });
			sandbox.control.inbound({ from: EMILIA, text: 'hola' });
			await sandbox.control.flushWebhooks();
			expect(receiver.received).toHaveLength(1);
			expect(receiver.received[0].headers['x-shared-secret']).toBe('abc');
			expect(receiver.received[0].headers['x-hub-signature-256']).toBeUndefined();
		} finally {
			await receiver.close();
		}
	});
});

describe("subscribed_apps (the trigger's automatic registration)", () => {
	test('GET lists the app; DELETE unsubscribes (no more webhooks); POST subscribes again', async () => {
		const receiver = await startReceiver();
		try {
			sandbox.control.setWebhookUrl(receiver.url);
			const listed = await call(`${sandbox.url}/v24.0/${WABA}/subscribed_apps`);
			expect(listed.body.data).toEqual([
				{
					whatsapp_business_api_data: expect.objectContaining({
						id: expect.any(String),
						name: expect.any(String),
					}),
				},
			]);

			expect(
				(await call(`${sandbox.url}/v24.0/${WABA}/subscribed_apps`, { method: 'DELETE' })).body,
			).toEqual({ success: true });
			expect((await call(`${sandbox.url}/v24.0/${WABA}/subscribed_apps`)).body).toEqual({
				data: [],
			});
			sandbox.control.inbound({ from: EMILIA, text: 'nobody hears this' });
			await sandbox.control.flushWebhooks();
			expect(receiver.received).toHaveLength(0);

			expect(
				(await call(`${sandbox.url}/v24.0/${WABA}/subscribed_apps`, { method: 'POST' })).body,
			).toEqual({ success: true });
			sandbox.control.inbound({ from: EMILIA, text: 'hola' });
			await sandbox.control.flushWebhooks();
			expect(receiver.messages().map((m) => m.text.body)).toEqual(['hola']);
		} finally {
			await receiver.close();
		}
	});

	test('POST override_callback_uri runs the verify handshake, then webhooks go there', async () => {
		const http = await import('node:http');
		const hits: string[] = [];
		const server = http.createServer((req, res) => {
			const url = new URL(req.url!, 'http://x');
			if (req.method === 'GET') {
				const ok =
					url.searchParams.get('hub.mode') === 'subscribe' &&
					url.searchParams.get('hub.verify_token') === 'my-verify';
				res.writeHead(ok ? 200 : 403);
				res.end(ok ? url.searchParams.get('hub.challenge') : 'forbidden');
				return;
			}
			req.resume();
			req.on('end', () => {
				hits.push(req.method!);
				res.writeHead(200);
				res.end();
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const uri = `http://127.0.0.1:${(server.address() as { port: number }).port}/override`;
		try {
			const refused = await call(`${sandbox.url}/v24.0/${WABA}/subscribed_apps`, {
				body: { override_callback_uri: uri, verify_token: 'wrong' },
			});
			expect(graphError(refused)).toMatchObject({
				code: 2200,
				error_data: { details: expect.stringContaining('HTTP Status Code = 403') },
			});

			const accepted = await call(`${sandbox.url}/v24.0/${WABA}/subscribed_apps`, {
				body: { override_callback_uri: uri, verify_token: 'my-verify' },
			});
			expect(accepted.body).toEqual({ success: true });
			const listed = await call(`${sandbox.url}/v24.0/${WABA}/subscribed_apps`);
			expect(listed.body.data[0].override_callback_uri).toBe(uri);
			sandbox.control.inbound({ from: EMILIA, text: 'hola' });
			await sandbox.control.flushWebhooks();
			expect(hits).toEqual(['POST']);
		} finally {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		}
	});
});

describe('ledger', () => {
	test('per-recipient counts, duplicates, lookup by id, and reset', async () => {
		const first = await send(sandbox.url, reminder());
		await send(sandbox.url, reminder());
		await send(sandbox.url, reminder('5491155550001'));
		const ledger = sandbox.control.ledger;
		expect(ledger.count()).toBe(3);
		expect(ledger.countsByRecipient()).toEqual({ [EMILIA]: 2, '5491155550001': 1 });
		expect(ledger.duplicates()).toEqual([
			{
				waId: EMILIA,
				key: 'appointment_reminder',
				count: 2,
				ids: [first.body.messages[0].id, expect.any(String)],
			},
		]);
		expect(ledger.get(first.body.messages[0].id)?.waId).toBe(EMILIA);
		expect(ledger.forRecipient('+54 9 11 5555 1234')).toHaveLength(2);
		sandbox.control.reset();
		expect(ledger.count()).toBe(0);
		expect(ledger.duplicates()).toEqual([]);
	});

	test('the control API serves the same over HTTP', async () => {
		await send(sandbox.url, reminder());
		await send(sandbox.url, reminder());
		const counts = await call(`${sandbox.url}/_sandbox/ledger/counts`, { token: null });
		expect(counts.body).toEqual({ counts: { [EMILIA]: 2 } });
		const duplicates = await call(`${sandbox.url}/_sandbox/ledger/duplicates`, { token: null });
		expect(duplicates.body.duplicates[0]).toMatchObject({ waId: EMILIA, count: 2 });
		const messages = await call(`${sandbox.url}/_sandbox/ledger?to=${EMILIA}`, { token: null });
		expect(messages.body.messages).toHaveLength(2);
		expect(messages.body.messages[0]).toMatchObject({
			template: { name: 'appointment_reminder' },
			at: expect.any(String),
		});
		await call(`${sandbox.url}/_sandbox/reset`, { token: null, body: {} });
		expect(sandbox.control.ledger.count()).toBe(0);
	});

	test('control errors name the problem', async () => {
		const reply = await call(`${sandbox.url}/_sandbox/faults`, {
			token: null,
			body: { errorRate: 0.5 },
		});
		expect(reply.status).toBe(400);
		expect(reply.body.error.message).toContain('unknown fault "errorRate"');
		const missing = await call(`${sandbox.url}/_sandbox/nothing`, { token: null });
		expect(missing.status).toBe(404);
	});
});
