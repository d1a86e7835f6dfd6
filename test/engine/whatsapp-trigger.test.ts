import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { IDataObject, INode } from 'n8n-workflow';

import { CloudApiClient } from '../../lib/cloud-api/client';
import { fetchHttp } from '../../lib/cloud-api/fetch-http';
import { SqliteStore } from '../../lib/store/sqlite';
import { encodeCallbackData } from '../../lib/webhook';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { startWebhookHost, type CapturedLog, type WebhookHost } from '../helpers/webhook-host';

const APP_SECRET = 'trigger-app-secret-0123456789';
const VERIFY_TOKEN = 'verify-me-please';
const PHONE_ID = '1000000001';
const EMILIA = '5491155551234';

const credentials = (baseUrl = 'http://127.0.0.1:9') => ({
	whatsAppCloudApi: {
		provider: 'sandbox',
		baseUrl,
		apiVersion: 'v24.0',
		accessToken: 'sandbox-token',
		phoneNumberId: PHONE_ID,
		wabaId: '2000000001',
		appSecret: APP_SECRET,
		verifyToken: VERIFY_TOKEN,
	},
});

function triggerNode(storeFile: string, parameters: IDataObject = {}): INode {
	return {
		id: 't',
		name: 'WhatsApp HSM Trigger',
		type: 'n8n-nodes-whatsapp-hsm.whatsAppHsmTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: { storeFile, ...parameters },
	};
}

const sign = (body: Buffer | string, secret = APP_SECRET) =>
	`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Meta's webhook envelope around one `messages` change value of our business number. */
function envelope(value: Record<string, unknown>) {
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '2000000001',
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '541140001000', phone_number_id: PHONE_ID },
							...value,
						},
					},
				],
			},
		],
	};
}

function textMessage(id: string, text: string, timestamp: number, from = EMILIA, name = 'Emilia') {
	return envelope({
		contacts: [{ profile: { name }, wa_id: from }],
		messages: [{ from, id, timestamp: String(timestamp), type: 'text', text: { body: text } }],
	});
}

function status(id: string, value: string, timestamp: number, callback?: string) {
	return envelope({
		statuses: [
			{
				id,
				status: value,
				timestamp: String(timestamp),
				recipient_id: EMILIA,
				...(callback ? { biz_opaque_callback_data: callback } : {}),
			},
		],
	});
}

async function post(
	host: WebhookHost,
	payload: unknown,
	headers: Record<string, string> | ((body: Buffer) => Record<string, string>) = (body) => ({
		'x-hub-signature-256': sign(body),
	}),
) {
	const body = Buffer.isBuffer(payload)
		? payload
		: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
	const extra = typeof headers === 'function' ? headers(body) : headers;
	const response = await fetch(host.url, {
		method: 'POST',
		body,
		headers: { 'content-type': 'application/json', ...extra },
	});
	return response.status;
}

describe('WhatsApp HSM Trigger through its webhook entry point (real HTTP)', () => {
	let dir: string;
	let storeFile: string;
	let host: WebhookHost;
	let store: SqliteStore;

	beforeEach(async () => {
		dir = mkdtempSync(join(tmpdir(), 'wa-trigger-'));
		storeFile = join(dir, 'store.sqlite');
		host = await startWebhookHost(triggerNode(storeFile), { credentials: credentials() });
		store = new SqliteStore({ path: storeFile });
	});
	afterEach(async () => {
		await host.stop();
		await store.close();
	});

	it('answers the handshake with the challenge as plain text, and 403 for a wrong token', async () => {
		const good = await fetch(
			`${host.url}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
		);
		expect(good.status).toBe(200);
		expect(good.headers.get('content-type')).toContain('text/plain');
		expect(await good.text()).toBe('1158201444');
		const bad = await fetch(
			`${host.url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`,
		);
		expect(bad.status).toBe(403);
		expect(await bad.text()).not.toContain('1158201444');
	});

	it('refuses unsigned, forged, malformed and altered bodies with 401 and starts nothing; garbage gets 400', async () => {
		const payload = textMessage('wamid.sig', 'hola', 1_700_000_000);
		const body = Buffer.from(JSON.stringify(payload));
		expect(await post(host, body, {})).toBe(401);
		expect(await post(host, body, { 'x-hub-signature-256': 'sha256=zz' })).toBe(401);
		expect(
			await post(host, body, { 'x-hub-signature-256': sign(body, 'another-apps-secret') }),
		).toBe(401);
		const altered = Buffer.from(body);
		altered[altered.length - 5] ^= 1;
		expect(await post(host, altered, { 'x-hub-signature-256': sign(body) })).toBe(401);
		expect(await post(host, 'not json at all')).toBe(400);
		expect(await post(host, { object: 'page', entry: [] })).toBe(400);
		expect(host.requests.every((request) => !request.outputs)).toBe(true);
		expect(await store.getContact(PHONE_ID, EMILIA)).toBeUndefined();
		expect(await post(host, body)).toBe(200);
	});

	it('verifies the raw bytes of a unicode body', async () => {
		const raw = Buffer.from(
			JSON.stringify(
				textMessage('wamid.uni', 'Hola ñandú 🌮 — ¿qué tal?', 1_700_000_100, EMILIA, 'Émilia Ñ'),
			),
		);
		expect(await post(host, raw)).toBe(200);
		expect(host.items(0)[0]).toMatchObject({ text: 'Hola ñandú 🌮 — ¿qué tal?', name: 'Émilia Ñ' });
	});

	it('reads the credential once for many POSTs; a changed App Secret works on the next POST and the old one is then refused', async () => {
		const data = { ...credentials().whatsAppCloudApi };
		let reads = 0;
		const counted = {
			get whatsAppCloudApi() {
				reads++;
				return data;
			},
		};
		// Its own node id: the cache is per workflow, node and credential.
		const cachedHost = await startWebhookHost(
			{ ...triggerNode(storeFile), id: 't-credential-cache' },
			{ credentials: counted as never },
		);
		try {
			// The harness itself looks the credential up once when it builds the workflow.
			const setup = reads;
			const now = Math.floor(Date.now() / 1000);
			for (let i = 0; i < 20; i++)
				expect(await post(cachedHost, status(`wamid.cache${i}`, 'delivered', now))).toBe(200);
			expect(reads - setup).toBe(1);

			data.appSecret = 'rotated-app-secret-9876543210';
			await new Promise((resolve) => setTimeout(resolve, 1_100));
			const signedWith = (secret: string) => (body: Buffer) => ({
				'x-hub-signature-256': sign(body, secret),
			});
			expect(
				await post(
					cachedHost,
					status('wamid.rotated', 'delivered', now),
					signedWith('rotated-app-secret-9876543210'),
				),
			).toBe(200);
			expect(reads - setup).toBe(2);
			expect(
				await post(
					cachedHost,
					status('wamid.old-secret', 'delivered', now),
					signedWith(APP_SECRET),
				),
			).toBe(401);
			// A burst of forged POSTs right after a read does not make each one read the credential again.
			for (let i = 0; i < 10; i++)
				expect(
					await post(
						cachedHost,
						status(`wamid.forged${i}`, 'delivered', now),
						signedWith('forged'),
					),
				).toBe(401);
			expect(reads - setup).toBeLessThanOrEqual(3);
		} finally {
			await cachedHost.stop();
		}
	});

	it('emits one item per message, records the last inbound and never rewinds it', async () => {
		const now = Math.floor(Date.now() / 1000);
		expect(await post(host, textMessage('wamid.new', 'segundo', now))).toBe(200);
		expect(await post(host, textMessage('wamid.old', 'primero', now - 3600))).toBe(200);
		expect(host.items(0).map((item) => item.text)).toEqual(['segundo', 'primero']);
		expect(host.items(0)[0]).toMatchObject({
			kind: 'message',
			type: 'text',
			from: EMILIA,
			wa_id: EMILIA,
			name: 'Emilia',
			phoneNumberId: PHONE_ID,
			timestamp: new Date(now * 1000).toISOString(),
		});
		const contact = await store.getContact(PHONE_ID, EMILIA);
		expect(contact).toMatchObject({
			lastInboundAt: now * 1000,
			lastInboundMessageId: 'wamid.new',
			profileName: 'Emilia',
		});
	});

	it("drops Meta's retries and duplicates, also after a restart", async () => {
		const payload = textMessage('wamid.dup', 'hola', 1_700_000_200);
		expect(await post(host, payload)).toBe(200);
		expect(await post(host, payload)).toBe(200);
		expect(host.requests.filter((request) => request.outputs)).toHaveLength(1);
		const restarted = await startWebhookHost(triggerNode(storeFile), {
			credentials: credentials(),
		});
		try {
			expect(await post(restarted, payload)).toBe(200);
			expect(restarted.requests[0].outputs).toBeUndefined();
		} finally {
			await restarted.stop();
		}
	});

	it('opts out on keywords in several languages and back in on START, case and accents ignored', async () => {
		const t = 1_700_001_000;
		for (const [index, [from, text]] of [
			['5491100000001', 'Baja.'],
			['5491100000002', 'unsubscribe'],
			['5491100000003', 'SAIR'],
			['5491100000004', 'no quiero la baja'],
		].entries()) {
			await post(host, textMessage(`wamid.kw${index}`, text, t + index, from));
		}
		const contacts = await store.getContacts(PHONE_ID, [
			'5491100000001',
			'5491100000002',
			'5491100000003',
			'5491100000004',
		]);
		expect(contacts.get('5491100000001')?.optOut).toMatchObject({
			optedOut: true,
			reason: 'keyword',
		});
		expect(contacts.get('5491100000002')?.optOut?.optedOut).toBe(true);
		expect(contacts.get('5491100000003')?.optOut?.optedOut).toBe(true);
		expect(contacts.get('5491100000004')?.optOut).toBeUndefined();
		await post(host, textMessage('wamid.kw9', 'Start', t + 10, '5491100000001'));
		expect((await store.getContact(PHONE_ID, '5491100000001'))?.optOut?.optedOut).toBe(false);
	});

	it('records statuses against campaign recipients, never regressing, and can leave them out of executions', async () => {
		const quiet = await startWebhookHost(triggerNode(storeFile, { emit: ['messages', 'other'] }), {
			credentials: credentials(),
		});
		try {
			await store.claimRecipient('camp-1', { recipientId: EMILIA });
			await store.recordResult('camp-1', {
				recipientId: EMILIA,
				state: 'sent',
				wamid: 'wamid.out1',
			});
			const callback = encodeCallbackData({ campaignId: 'camp-1', recipient: EMILIA });
			expect(await post(quiet, status('wamid.out1', 'read', 1_700_002_010, callback))).toBe(200);
			expect(await post(quiet, status('wamid.out1', 'delivered', 1_700_002_005, callback))).toBe(
				200,
			);
			expect(quiet.requests.every((request) => !request.outputs)).toBe(true);
			const recipient = await store.getRecipient('camp-1', EMILIA);
			expect(recipient?.status).toBe('read');
			expect(recipient?.statusTimes.delivered).toBe(1_700_002_005_000);
		} finally {
			await quiet.stop();
		}
		expect(
			await post(
				host,
				status('wamid.out2', 'sent', 1_700_002_020, encodeCallbackData({ campaignId: 'camp-9' })),
			),
		).toBe(200);
		expect(host.items(1)[0]).toMatchObject({
			kind: 'status',
			status: 'sent',
			id: 'wamid.out2',
			campaignId: 'camp-9',
			recipientId: EMILIA,
		});
	});

	it('records a POST of 500 statuses (Meta batches up to 1,000): every one recorded in order, every one emitted', async () => {
		const ids = Array.from({ length: 250 }, (_, i) => `549110000${String(i).padStart(3, '0')}`);
		await store.claimRecipients(
			'camp-batch',
			ids.map((recipientId) => ({ recipientId })),
		);
		await store.recordResults(
			'camp-batch',
			ids.map((recipientId) => ({ recipientId, state: 'sent', wamid: `wamid.b${recipientId}` })),
		);
		const statuses = ids.flatMap((recipientId) =>
			(['sent', 'delivered'] as const).map((value, step) => ({
				id: `wamid.b${recipientId}`,
				status: value,
				timestamp: String(1_700_003_000 + step),
				recipient_id: recipientId,
				biz_opaque_callback_data: encodeCallbackData({
					campaignId: 'camp-batch',
					recipient: recipientId,
				}),
			})),
		);
		expect(await post(host, envelope({ statuses }))).toBe(200);
		expect(host.items(1)).toHaveLength(500);
		const recorded = await store.getRecipients('camp-batch', ids);
		expect([...recorded.values()].map((r) => r.status)).toEqual(ids.map(() => 'delivered'));
		expect(recorded.get(ids[7])?.statusTimes).toEqual({
			sent: 1_700_003_000_000,
			delivered: 1_700_003_001_000,
		});
	});

	it('answers 500 when the store cannot record a POST, and processes the retry instead of dropping it as seen', async () => {
		await store.claimRecipient('camp-fail', { recipientId: EMILIA });
		await store.recordResult('camp-fail', {
			recipientId: EMILIA,
			state: 'sent',
			wamid: 'wamid.f1',
		});
		const body = status(
			'wamid.f1',
			'delivered',
			1_700_005_000,
			encodeCallbackData({ campaignId: 'camp-fail', recipient: EMILIA }),
		);
		const log: CapturedLog = [];
		const logged = await startWebhookHost(triggerNode(storeFile), {
			credentials: credentials(),
			log,
		});
		// A real SQLite failure inside the trigger's write (as a full disk or a corrupt page would give).
		const db = new DatabaseSync(storeFile);
		try {
			db.exec(
				"CREATE TRIGGER refuse_updates BEFORE UPDATE ON recipients BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
			);
			expect(await post(logged, body)).toBe(500);
			expect(logged.items(1)).toHaveLength(0);
			expect((await store.getRecipient('camp-fail', EMILIA))?.status).toBeUndefined();
			expect(log.some((line) => /not recorded, answered 500/.test(line.message))).toBe(true);
			db.exec('DROP TRIGGER refuse_updates');
			// Meta sends the same POST again: recorded and emitted once.
			expect(await post(logged, body)).toBe(200);
			expect((await store.getRecipient('camp-fail', EMILIA))?.status).toBe('delivered');
			expect(logged.items(1)).toHaveLength(1);
			expect(await post(logged, body)).toBe(200);
			expect(logged.items(1)).toHaveLength(1);
		} finally {
			db.close();
			await logged.stop();
		}
	});

	it('a failed status with 131049 holds marketing to that contact for the time Meta asks (24 h)', async () => {
		const failed = envelope({
			statuses: [
				{
					id: 'wamid.held',
					status: 'failed',
					timestamp: '1700004000',
					recipient_id: EMILIA,
					errors: [
						{
							code: 131049,
							title: 'This message was not delivered to maintain healthy ecosystem engagement.',
						},
					],
				},
			],
		});
		expect(await post(host, failed)).toBe(200);
		const contact = await store.getContact(PHONE_ID, EMILIA);
		expect(contact?.marketingHoldUntil).toBe(1_700_004_000_000 + 24 * 3600_000);
	});

	it('ignores events of other business numbers when filtered', async () => {
		const filtered = await startWebhookHost(
			triggerNode(storeFile, { options: { phoneNumberIds: '999' } }),
			{ credentials: credentials() },
		);
		try {
			expect(await post(filtered, textMessage('wamid.other', 'hola', 1_700_003_000))).toBe(200);
			expect(filtered.requests[0].outputs).toBeUndefined();
		} finally {
			await filtered.stop();
		}
	});
});

describe('WhatsApp HSM Trigger fed by the sandbox', () => {
	let sandbox: RunningSandbox;
	let host: WebhookHost;
	let store: SqliteStore;
	let storeFile: string;

	beforeAll(async () => {
		storeFile = join(mkdtempSync(join(tmpdir(), 'wa-trigger-sb-')), 'store.sqlite');
		sandbox = await startSandbox({ appSecret: APP_SECRET, statusDelayMs: 5 });
		host = await startWebhookHost(triggerNode(storeFile), {
			credentials: credentials(sandbox.url),
		});
		sandbox.control.setWebhookUrl(host.url);
		store = new SqliteStore({ path: storeFile });
	});
	afterAll(async () => {
		await sandbox.stop();
		await host.stop();
		await store.close();
	});

	it('a conversation driven through the sandbox arrives as items and updates the store; button taps carry their payload', async () => {
		sandbox.control.say('contact +54 9 11 5555 1234 named Emilia says hola');
		await sandbox.control.flushWebhooks();
		expect(host.items(0).at(-1)).toMatchObject({
			type: 'text',
			text: 'hola',
			name: 'Emilia',
			wa_id: EMILIA,
		});
		const contact = await store.getContact(PHONE_ID, EMILIA);
		expect(Date.now() - (contact?.lastInboundAt ?? 0)).toBeLessThan(60_000);

		const client = new CloudApiClient(
			fetchHttp({ provider: 'sandbox', accessToken: 'sandbox-token' }),
			{
				provider: 'sandbox',
				baseUrl: sandbox.url,
				apiVersion: 'v24.0',
				phoneNumberId: PHONE_ID,
				wabaId: '2000000001',
			},
		);
		const sent = await client.send({
			messaging_product: 'whatsapp',
			to: EMILIA,
			type: 'template',
			template: {
				name: 'appointment_reminder',
				language: { code: 'es' },
				components: [
					{
						type: 'body',
						parameters: [
							{ type: 'text', text: 'Emilia' },
							{ type: 'text', text: 'lunes 10:30' },
						],
					},
				],
			},
		});
		expect(sent.ok).toBe(true);
		await sandbox.control.flushWebhooks();
		await sandbox.control.waitForWebhooksIdle();
		const statuses = host
			.items(1)
			.filter((item) => item.id === (sent as { wamid: string }).wamid)
			.map((item) => item.status);
		expect(statuses).toEqual(expect.arrayContaining(['sent', 'delivered', 'read']));

		sandbox.control.say('Emilia taps Confirmar');
		await sandbox.control.flushWebhooks();
		const tap = host.items(0).at(-1)!;
		expect(tap).toMatchObject({ type: 'button', wa_id: EMILIA });
		expect(tap.text).toBe('Confirmar');
	});

	it('then Check Conversation Window reads Open for that contact, and Closed for one who wrote 30 hours ago', async () => {
		const { afterInputItems, runWorkflow } = await import('../helpers/engine');
		sandbox.control.say('contact +54 9 11 5555 4321 named Marta says hola 30 hours ago');
		sandbox.control.say('contact +54 9 11 5555 1234 named Emilia says sigo acá');
		await sandbox.control.flushWebhooks();
		const result = await runWorkflow(
			afterInputItems(
				{
					id: 'cw',
					name: 'Check Conversation Window',
					type: 'n8n-nodes-whatsapp-hsm.checkConversationWindow',
					typeVersion: 1,
					position: [200, 0],
					parameters: { storeFile },
				},
				[{ wa_id: EMILIA }, { wa_id: '5491155554321' }],
			),
			{ credentials: credentials(sandbox.url) },
		);
		expect(result.error).toBeUndefined();
		expect(result.json('Check Conversation Window', 0).map((item) => item.wa_id)).toEqual([EMILIA]);
		expect(result.json('Check Conversation Window', 1).map((item) => item.wa_id)).toEqual([
			'5491155554321',
		]);
	});
});

describe('WhatsApp HSM Trigger automatic registration (webhookMethods)', () => {
	it("subscribes the WABA with this trigger's URL on activation and removes only its own override on deactivation", async () => {
		const { HookContext, ExecutionLifecycleHooks } = await import('n8n-core');
		const { buildWorkflow, createAdditionalData, credentialsHelperFor } = await import(
			'../helpers/engine'
		);
		const { WhatsAppHsmTrigger } = await import(
			'../../nodes/WhatsAppHsmTrigger/WhatsAppHsmTrigger.node'
		);
		const sandbox = await startSandbox({ appSecret: APP_SECRET });
		// The sandbox runs Meta's handshake against the callback URL: answer it like n8n would.
		const http = await import('node:http');
		const receiver = http.createServer((req, res) =>
			res.end(new URL(req.url ?? '/', 'http://x').searchParams.get('hub.challenge') ?? ''),
		);
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const base = `http://127.0.0.1:${(receiver.address() as import('node:net').AddressInfo).port}`;
		try {
			const node = {
				...triggerNode(join(mkdtempSync(join(tmpdir(), 'wa-reg-')), 's.sqlite'), {
					registration: 'automatic',
				}),
				webhookId: 'abc-123',
			};
			const options = { credentials: credentials(sandbox.url) };
			const workflow = buildWorkflow({ nodes: [node], connections: {} }, options);
			const additionalData = createAdditionalData(
				credentialsHelperFor(options),
				new ExecutionLifecycleHooks('trigger', 'x', {
					id: 'w',
					name: 'w',
					active: true,
					nodes: [],
					connections: {},
					settings: {},
					createdAt: new Date(),
					updatedAt: new Date(),
				} as never),
			);
			additionalData.webhookBaseUrl = `${base}/webhook`;
			const description = new WhatsAppHsmTrigger().description.webhooks!.find(
				(webhook) => webhook.name === 'default',
			)!;
			const context = new HookContext(
				workflow,
				workflow.getNode(node.name)!,
				additionalData,
				'trigger',
				'activate',
				{
					httpMethod: 'POST',
					node: node.name,
					path: 'webhook',
					webhookDescription: description,
					workflowId: 'w',
					workflowExecuteAdditionalData: additionalData,
					webhookId: 'abc-123',
				},
			);
			const methods = new WhatsAppHsmTrigger().webhookMethods.default;
			const url = context.getNodeWebhookUrl('default')!;
			expect(url).toBe(`${base}/webhook/abc-123/webhook`);
			expect(await methods.checkExists.call(context)).toBe(false);
			expect(await methods.create.call(context)).toBe(true);
			expect(await methods.checkExists.call(context)).toBe(true);
			expect(sandbox.control.subscription()).toMatchObject({ overrideCallbackUri: url });
			expect(await methods.delete.call(context)).toBe(true);
			expect(await methods.checkExists.call(context)).toBe(false);
		} finally {
			receiver.close();
			await sandbox.stop();
		}
	});
});

describe('WhatsApp HSM Trigger under fuzzing', () => {
	it('answers 10,000 random and mutated bodies and headers with 200, 400 or 401 only — never a crash', async () => {
		const { Fuzzer, corpus, fuzzCase } = await import('../webhook/fuzz-gen');
		const { APP_SECRET: FUZZ_SECRET } = await import('../webhook/fixtures');
		const storeFile = join(mkdtempSync(join(tmpdir(), 'wa-fuzz-')), 'store.sqlite');
		const fuzzCredentials = {
			whatsAppCloudApi: { ...credentials().whatsAppCloudApi, appSecret: FUZZ_SECRET },
		};
		const log: CapturedLog = [];
		const host = await startWebhookHost(triggerNode(storeFile), {
			credentials: fuzzCredentials,
			log,
		});
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		try {
			const fuzzer = new Fuzzer(Number(process.env.FUZZ_SEED ?? 20261122));
			const seeds = corpus();
			const seen = new Map<number, number>();
			for (let i = 0; i < 10_000; i++) {
				const { body, headers } = fuzzCase(fuzzer, seeds);
				const status = await host.call({ rawBody: body, headers });
				seen.set(status, (seen.get(status) ?? 0) + 1);
			}
			expect([...seen.keys()].sort()).toEqual([200, 400, 401]);
			expect(host.requests.some((request) => request.status === 500)).toBe(false);
			expect(unhandled).toEqual([]);
			// Every refusal is a warning in n8n's log, and no warning carries a secret.
			const refusals = log.filter(
				(entry) => entry.level === 'warn' && entry.message.startsWith('WhatsApp webhook refused'),
			);
			expect(refusals.length).toBe((seen.get(400) ?? 0) + (seen.get(401) ?? 0));
			expect(
				log.some(
					(entry) => entry.message.includes(FUZZ_SECRET) || entry.message.includes(VERIFY_TOKEN),
				),
			).toBe(false);
		} finally {
			process.off('unhandledRejection', onUnhandled);
			await host.stop();
		}
	}, 120_000);
});
