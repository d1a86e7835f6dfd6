import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import type { IDataObject, INode } from 'n8n-workflow';

import { SqliteStore } from '../../lib/store/sqlite';
import { clearTemplateCache } from '../../nodes/common/templates';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { sandboxCredentials } from '../helpers/sandbox-credentials';
import {
	afterInputItems,
	buildWorkflow,
	createAdditionalData,
	credentialsHelperFor,
	runWorkflow,
} from '../helpers/engine';

const EMILIA = '5491155551234';
const storeFile = join(mkdtempSync(join(tmpdir(), 'wa-send-')), 'store.sqlite');
let sandbox: RunningSandbox;
let store: SqliteStore;

beforeAll(async () => {
	sandbox = await startSandbox({ statusDelayMs: 5 });
	store = new SqliteStore({ path: storeFile });
});
afterAll(async () => {
	await store.close();
	await sandbox.stop();
});
beforeEach(() => {
	sandbox.control.reset();
	clearTemplateCache();
});

const credentials = () => sandboxCredentials(sandbox.url);

function sendWorkflow(
	items: IDataObject[],
	parameters: IDataObject,
	options: { continueOnFail?: boolean } = {},
) {
	const node: INode = {
		id: 'send',
		name: 'Send HSM Template',
		type: 'n8n-nodes-whatsapp-hsm.sendHsmTemplate',
		typeVersion: 1,
		position: [200, 0],
		parameters: { storeFile, ...parameters },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	return afterInputItems(node, items);
}

const reminder = (extra: IDataObject = {}, options: IDataObject = {}) => ({
	to: '={{ $json.phone }}',
	template: 'appointment_reminder',
	defaultLanguage: 'es',
	recipientLanguage: '={{ $json.language }}',
	variables: {
		mappingMode: 'defineBelow',
		value: { 'body.1': '={{ $json.name }}', 'body.2': '={{ $json.shift }}', ...extra },
	},
	options,
});

const run = (
	items: IDataObject[],
	parameters: IDataObject,
	options?: { continueOnFail?: boolean },
) => runWorkflow(sendWorkflow(items, parameters, options), { credentials: credentials() });

describe('Send HSM Template against the sandbox', () => {
	it('sends the template exactly as built and reports the wamid and the rendered text', async () => {
		const result = await run(
			[{ phone: '+54 9 11 5555 1234', name: 'Emilia', shift: 'lunes 10:30', language: 'es_AR' }],
			reminder(),
		);
		expect(result.error).toBeUndefined();
		const [item] = result.json('Send HSM Template');
		expect(item).toMatchObject({
			status: 'sent',
			to: `+${EMILIA}`,
			wa_id: EMILIA,
			template: 'appointment_reminder',
			language: 'es',
			languageMatch: 'base',
			kind: 'template',
			messageStatus: 'accepted',
		});
		expect(item.renderedText).toContain(
			'Hola Emilia, te recordamos tu turno en SaludCenter: lunes 10:30',
		);
		const ledger = sandbox.control.ledger.all();
		expect(ledger).toHaveLength(1);
		expect(ledger[0].id).toBe(item.wamid);
		expect(ledger[0].payload).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
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
	});

	it("falls back to the default language when the contact's has no approved translation", async () => {
		const result = await run(
			[{ phone: EMILIA, name: 'Emily', shift: 'Monday 10:30', language: 'fr_FR' }],
			{ ...reminder(), defaultLanguage: 'en' },
		);
		expect(result.json('Send HSM Template')[0]).toMatchObject({
			status: 'sent',
			language: 'en',
			languageMatch: 'fallback',
		});
		expect(sandbox.control.ledger.all()[0].template).toMatchObject({
			name: 'appointment_reminder',
			language: 'en',
		});
	});

	it('stops an invalid item before any paid call, naming the item and the field', async () => {
		const items = [
			{ phone: EMILIA, name: 'Emilia', shift: 'lunes', language: 'es' },
			{ phone: EMILIA, name: 'Line\nbreak', shift: 'lunes', language: 'es' },
		];
		const result = await run(items, reminder());
		expect(result.error?.message).toMatch(/Item 1: body\.1/);
		expect(result.error?.message).toMatch(/newline/i);
		expect(sandbox.control.ledger.all()).toHaveLength(0);
	});

	it('with continueOnFail, reports each bad item and sends the good ones', async () => {
		const items = [
			{ phone: 'not a phone', name: 'A', shift: 'x', language: 'es' },
			{ phone: EMILIA, name: 'Emilia', shift: 'lunes', language: 'es' },
			{ phone: EMILIA, name: '', shift: 'lunes', language: 'es' },
		];
		const result = await run(items, reminder(), { continueOnFail: true });
		const out = result.output('Send HSM Template')[0];
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json).toMatchObject({ status: 'failed' });
		expect(String(out[0].json.error)).toMatch(
			/^Item 0: Recipient Phone: "not a phone" is not a valid phone number/,
		);
		expect(out[1].json).toMatchObject({ status: 'sent' });
		expect(String(out[2].json.error)).toMatch(
			/Item 2: Template Variables › Body \{\{1\}\} is missing/,
		);
		expect(sandbox.control.ledger.all()).toHaveLength(1);
	});

	it('skips contacts that opted out (marketing opt-out only blocks marketing), with the reason', async () => {
		const waId = '5491155550001';
		await store.setOptState('1000000001', waId, {
			optedOut: true,
			at: Date.now(),
			reason: 'keyword',
			scope: 'all',
			detail: 'BAJA',
		});
		const result = await run(
			[{ phone: waId, name: 'Ana', shift: 'lunes', language: 'es' }],
			reminder(),
		);
		expect(result.json('Send HSM Template')[0]).toMatchObject({
			status: 'skipped',
			skipped: { reason: 'opted_out' },
		});
		expect(
			String(
				result.json('Send HSM Template')[0].skipped &&
					(result.json('Send HSM Template')[0].skipped as IDataObject).message,
			),
		).toContain('BAJA');

		const marketingOnly = '5491155550002';
		await store.setOptState('1000000001', marketingOnly, {
			optedOut: true,
			at: Date.now(),
			reason: 'user-preferences',
			scope: 'marketing',
		});
		const utility = await run(
			[{ phone: marketingOnly, name: 'Bea', shift: 'lunes', language: 'es' }],
			reminder(),
		);
		expect(utility.json('Send HSM Template')[0]).toMatchObject({ status: 'sent' });
		expect(sandbox.control.ledger.all().map((entry) => entry.waId)).toEqual([marketingOnly]);
	});

	it('holds marketing (not utility) for a contact Meta held with 131049, until the hold ends', async () => {
		const waId = '5491155550020';
		await store.markMarketingHold('1000000001', waId, Date.now() + 3600_000);
		const marketing = {
			to: waId,
			template: 'taxi_discount',
			defaultLanguage: 'es',
			variables: {
				mappingMode: 'defineBelow',
				value: {
					header: 'https://example.com/taxi.jpg',
					'body.1': 'Ana',
					'body.2': '31 de octubre',
					'button.0.url': 'SALUD10',
				},
			},
		};
		const [held] = (await run([{}], marketing)).json('Send HSM Template');
		expect(held).toMatchObject({
			status: 'skipped',
			skipped: { reason: 'marketing_hold_131049', code: 131049 },
		});
		const [utility] = (
			await run([{ phone: waId, name: 'Ana', shift: 'lunes', language: 'es' }], reminder())
		).json('Send HSM Template');
		expect(utility.status).toBe('sent');
		expect(sandbox.control.ledger.all().map((entry) => entry.template?.name)).toEqual([
			'appointment_reminder',
		]);
	});

	it('sends the recontact for a query once: the second run is skipped and the ledger holds one message', async () => {
		const waId = '5491155550003';
		const parameters = {
			to: '={{ $json.phone }}',
			template: 'resume_contact',
			defaultLanguage: 'es',
			variables: { mappingMode: 'defineBelow', value: { 'body.1': 'Emilia', 'body.2': 'Laura' } },
			options: { recontactOnce: true, queryId: '={{ $json.ticket }}' },
		};
		const first = await run(
			[
				{ phone: waId, ticket: 'T-1' },
				{ phone: waId, ticket: 'T-1' },
			],
			parameters,
		);
		const second = await run([{ phone: waId, ticket: 'T-1' }], parameters);
		expect(first.json('Send HSM Template').map((item) => item.status)).toEqual(['sent', 'skipped']);
		expect(second.json('Send HSM Template')[0]).toMatchObject({
			status: 'skipped',
			skipped: { reason: 'recontact_already_spent' },
		});
		const other = await run([{ phone: waId, ticket: 'T-2' }], parameters);
		expect(other.json('Send HSM Template')[0].status).toBe('sent');
		expect(sandbox.control.ledger.all()).toHaveLength(2);
	});

	it('gives the recontact back when Meta refuses the send (131026), so a fixed retry can still use it', async () => {
		const waId = '5491155550004';
		sandbox.control.notOnWhatsApp(waId);
		const parameters = {
			to: waId,
			template: 'resume_contact',
			defaultLanguage: 'es',
			variables: { mappingMode: 'defineBelow', value: { 'body.1': 'Emilia', 'body.2': 'Laura' } },
			options: { recontactOnce: true, queryId: 'T-9' },
		};
		const refused = await run([{}], parameters, { continueOnFail: true });
		expect(refused.json('Send HSM Template')[0]).toMatchObject({ status: 'failed' });
		expect(String(refused.json('Send HSM Template')[0].error)).toContain('131026');
		expect(String(refused.json('Send HSM Template')[0].fix)).toContain('Not a WhatsApp number');
		sandbox.control.notOnWhatsApp(waId, false);
		const retried = await run([{}], parameters);
		expect(retried.json('Send HSM Template')[0].status).toBe('sent');
	});

	it('smart mode sends free text while the window is open and the template once it closed', async () => {
		const open = '5491155550005';
		const closed = '5491155550006';
		sandbox.control.inbound({
			from: open,
			name: 'Olga',
			text: 'hola',
			timestamp: new Date(Date.now() - 3600_000),
		});
		await store.recordInbound({
			businessNumberId: '1000000001',
			waId: open,
			at: Date.now() - 3600_000,
			messageId: 'wamid.in1',
		});
		sandbox.control.inbound({
			from: closed,
			name: 'Carla',
			text: 'hola',
			timestamp: new Date(Date.now() - 30 * 3600_000),
		});
		await store.recordInbound({
			businessNumberId: '1000000001',
			waId: closed,
			at: Date.now() - 30 * 3600_000,
			messageId: 'wamid.in2',
		});
		const result = await run(
			[
				{ phone: open, name: 'Olga', shift: 'lunes', language: 'es' },
				{ phone: closed, name: 'Carla', shift: 'martes', language: 'es' },
			],
			reminder({}, { smartMode: true }),
		);
		const [first, second] = result.json('Send HSM Template');
		expect(first).toMatchObject({ status: 'sent', kind: 'text' });
		expect(second).toMatchObject({ status: 'sent', kind: 'template' });
		const types = sandbox.control.ledger.all().map((entry) => [entry.waId, entry.type]);
		expect(types).toEqual([
			[open, 'text'],
			[closed, 'template'],
		]);
		expect((sandbox.control.ledger.all()[0].payload.text as { body: string }).body).toContain(
			'Hola Olga',
		);
	});

	it("turns Meta's 131050 into an error item and records the marketing opt-out", async () => {
		const waId = '5491155550007';
		sandbox.control.optOut(waId, { notify: false });
		const parameters = {
			to: waId,
			template: 'taxi_discount',
			defaultLanguage: 'es',
			variables: {
				mappingMode: 'defineBelow',
				value: {
					header: 'https://example.com/taxi.jpg',
					'body.1': 'Emilia',
					'body.2': '31 de octubre',
					'button.0.url': 'SALUD10',
				},
			},
		};
		const result = await run([{}], parameters, { continueOnFail: true });
		expect(String(result.json('Send HSM Template')[0].error)).toContain('131050');
		const contact = await store.getContact('1000000001', waId);
		expect(contact?.optOut).toMatchObject({
			optedOut: true,
			scope: 'marketing',
			reason: 'error-131050',
		});
		const again = await run([{}], parameters);
		expect(again.json('Send HSM Template')[0]).toMatchObject({
			status: 'skipped',
			skipped: { reason: 'opted_out' },
		});
	});

	it('the template dropdown and the resource mapper show what the catalogue holds', async () => {
		const node: INode = { ...sendWorkflow([], reminder()).nodes[1] };
		const workflow = buildWorkflow(sendWorkflow([], reminder()), { credentials: credentials() });
		const additionalData = createAdditionalData(
			credentialsHelperFor({ credentials: credentials() }),
			new ExecutionLifecycleHooks('manual', 'x', {
				id: 'w',
				name: 'w',
				active: false,
				nodes: [],
				connections: {},
				settings: {},
				createdAt: new Date(),
				updatedAt: new Date(),
			} as never),
		);
		additionalData.currentNodeParameters = node.parameters;
		const context = new LoadOptionsContext(
			workflow,
			workflow.getNode(node.name)!,
			additionalData,
			'parameters',
		);
		const { SendHsmTemplate } = await import('../../nodes/SendHsmTemplate/SendHsmTemplate.node');
		const methods = new SendHsmTemplate().methods;
		const options = await methods.loadOptions.getTemplates.call(context);
		const names = options.map((option) => option.value);
		expect(names).toEqual(
			expect.arrayContaining([
				'appointment_reminder',
				'resume_contact',
				'taxi_discount',
				'order_update',
			]),
		);
		expect(names).not.toContain('holiday_hours'); // PENDING
		expect(names).not.toContain('survey_invite'); // PAUSED
		// Each option previews the template's text (the category first), so the user sees what they choose.
		const reminderOption = options.find((option) => option.value === 'appointment_reminder');
		expect(reminderOption?.description).toMatch(
			/^UTILITY · Recordatorio de turno · Hola \{\{1\}\}/,
		);
		const fields = await methods.resourceMapping.getTemplateFields.call(context);
		expect(fields.fields.map((field) => field.id)).toEqual([
			'body.1',
			'body.2',
			'button.0.payload',
			'button.1.payload',
		]);
	});

	describe('every refusal the sandbox can produce becomes the right item', () => {
		// The template list is read (and cached) before the fault is switched on: the fault is meant for the send.
		const warm = async () => {
			await run([{ phone: '5491155550099', name: 'Warm', shift: 'x', language: 'es' }], reminder());
			sandbox.control.reset();
		};
		const one = (waId: string, options: IDataObject = {}) =>
			run([{ phone: waId, name: 'Ana', shift: 'lunes', language: 'es' }], reminder({}, options), {
				continueOnFail: true,
			});

		it.each([
			['130429 throughput', { burst130429: { count: 1 } }, 130429, 'slowed down'],
			['5xx', { errorRate5xx: 1 }, undefined, 'retried with backoff'],
		])('%s', async (_name, faults, code, fix) => {
			await warm();
			sandbox.control.setFaults(faults as never);
			const [item] = (await one('5491155550010')).json('Send HSM Template');
			expect(item.status).toBe('failed');
			if (code) expect(String(item.error)).toContain(String(code));
			expect(String(item.fix)).toContain(fix);
			expect(sandbox.control.ledger.all()).toHaveLength(0);
		});

		it("a refused template list (wrong token) fails every item with Meta's code and the fix, and sends nothing", async () => {
			const result = await runWorkflow(
				sendWorkflow(
					[
						{ phone: '5491155550014', name: 'Ana', shift: 'x', language: 'es' },
						{ phone: '5491155550015', name: 'Bea', shift: 'x', language: 'es' },
					],
					reminder(),
					{ continueOnFail: true },
				),
				{ credentials: sandboxCredentials(sandbox.url, { accessToken: 'expired-token-123456' }) },
			);
			const items = result.json('Send HSM Template');
			expect(items).toHaveLength(2);
			for (const item of items) {
				expect(item.status).toBe('failed');
				expect(String(item.error)).toMatch(/WhatsApp error (190|0)/);
				expect(String(item.fix)).toContain('credential');
			}
			expect(JSON.stringify(items)).not.toContain('expired-token-123456');
			expect(sandbox.control.ledger.all()).toHaveLength(0);
		});

		it('131021 when the recipient is the business number itself', async () => {
			const [item] = (await one('+54 11 4000 1000')).json('Send HSM Template');
			expect(String(item.error)).toContain('131021');
			expect(String(item.fix)).toContain('business number itself');
		});

		it('131047 when the store thinks the window is open but Meta does not (smart mode falls back to an error with the fix)', async () => {
			const waId = '5491155550011';
			await store.recordInbound({
				businessNumberId: '1000000001',
				waId,
				at: Date.now() - 60_000,
				messageId: 'wamid.local-only',
			});
			const [item] = (await one(waId, { smartMode: true })).json('Send HSM Template');
			expect(String(item.error)).toContain('131047');
			expect(String(item.fix)).toContain('use a template');
		});

		it('a hung request is reported as uncertain (it may have been sent), never as failed', async () => {
			await warm();
			sandbox.control.setFaults({ hangRate: 1 } as never);
			const [item] = (await one('5491155550012', { timeoutMs: 300 })).json('Send HSM Template');
			expect(item.status).toBe('uncertain');
			expect((item.error as IDataObject).timedOut).toBe(true);
		});

		it('a template that is not approved is refused before sending, with what exists', async () => {
			const result = await run(
				[{ phone: '5491155550013' }],
				{
					to: '={{ $json.phone }}',
					template: 'survey_invite',
					defaultLanguage: 'es',
					variables: { mappingMode: 'defineBelow', value: { 'body.1': 'Ana' } },
				},
				{ continueOnFail: true },
			);
			const [item] = result.json('Send HSM Template');
			expect(item.status).toBe('failed');
			expect(String(item.error) + String(item.fix)).toMatch(/survey_invite.*PAUSED/);
			expect(sandbox.control.ledger.rejections()).toHaveLength(0);
		});
	});
});
