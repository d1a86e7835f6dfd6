/**
 * The template lifecycle through n8n-core against the sandbox: WhatsApp Templates creates and submits one item per
 * language (bad items refused before anything is submitted), the sandbox reviews them after templateReviewMs and
 * posts message_template_status_update to the WhatsApp HSM Trigger (Other output), which makes the template
 * dropdowns load again, so Send HSM Template can use the newly approved template at once; list, get and delete.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import type { IDataObject, INode } from 'n8n-workflow';

import { clearTemplateCache, getTemplates } from '../../nodes/common/templates';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import {
	afterInputItems,
	buildWorkflow,
	createAdditionalData,
	credentialsHelperFor,
	runWorkflow,
} from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-credentials';
import { startWebhookHost, type WebhookHost } from '../helpers/webhook-host';

const storeFile = join(mkdtempSync(join(tmpdir(), 'wa-templates-')), 'store.sqlite');
let sandbox: RunningSandbox;
let trigger: WebhookHost;
const credentials = () => sandboxCredentials(sandbox.url);

beforeAll(async () => {
	sandbox = await startSandbox({ statusDelayMs: 5, templateReviewMs: 100 });
	trigger = await startWebhookHost(
		{
			id: 't',
			name: 'WhatsApp HSM Trigger',
			type: 'n8n-nodes-whatsapp-hsm.whatsAppHsmTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: { storeFile, emit: ['messages', 'statuses', 'other'] },
		},
		{ credentials: credentials() },
	);
	sandbox.control.setWebhookUrl(trigger.url);
});
afterAll(async () => {
	await trigger.stop();
	await sandbox.stop();
});
beforeEach(() => clearTemplateCache());

function single(
	type: string,
	name: string,
	parameters: IDataObject,
	items: IDataObject[] = [{}],
	options: { continueOnFail?: boolean } = {},
) {
	const node: INode = {
		id: 'n',
		name,
		type,
		typeVersion: 1,
		position: [200, 0],
		parameters: parameters as INode['parameters'],
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	return afterInputItems(node, items);
}
const TEMPLATES = 'WhatsApp Templates';
const templatesNode = (
	parameters: IDataObject,
	items?: IDataObject[],
	options?: { continueOnFail?: boolean },
) =>
	runWorkflow(
		single('n8n-nodes-whatsapp-hsm.whatsAppTemplates', TEMPLATES, parameters, items, options),
		{ credentials: credentials() },
	);

const create = (extra: IDataObject = {}) => ({
	operation: 'create',
	name: '={{ $json.name }}',
	category: 'UTILITY',
	language: '={{ $json.language }}',
	body: '={{ $json.body }}',
	bodyExamples: 'Emilia',
	footer: 'SaludCenter',
	buttons: { button: [{ type: 'QUICK_REPLY', text: '={{ $json.button }}' }] },
	...extra,
});

async function waitFor<T>(read: () => T | undefined, timeoutMs = 5000): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = read();
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

async function dropdown(): Promise<string[]> {
	const workflow = buildWorkflow(
		single('n8n-nodes-whatsapp-hsm.sendHsmTemplate', 'Send HSM Template', { template: '' }),
		{ credentials: credentials() },
	);
	const additional = createAdditionalData(
		credentialsHelperFor({ credentials: credentials() }),
		new ExecutionLifecycleHooks('manual', 'x', workflow as never),
	);
	const node = workflow.getNode('Send HSM Template')!;
	node.credentials = { whatsAppCloudApi: { id: 'whatsAppCloudApi', name: 'whatsAppCloudApi' } };
	const context = new LoadOptionsContext(workflow, node, additional, 'parameters');
	return (await getTemplates.call(context)).map((option) => String(option.value));
}

describe('the template lifecycle against the sandbox', () => {
	it('creates one template per language, reviewed and announced to the trigger; the dropdown and Send HSM Template see it at once', async () => {
		const languages = [
			{
				name: 'results_ready_v2',
				language: 'es',
				body: 'Hola {{1}}, tus resultados ya están listos.',
				button: 'Gracias',
			},
			{
				name: 'results_ready_v2',
				language: 'en',
				body: 'Hi {{1}}, your results are ready.',
				button: 'Thanks',
			},
		];
		expect(await dropdown()).not.toContain('results_ready_v2');
		const created = await templatesNode(create(), languages);
		expect(created.error).toBeUndefined();
		const out = created.json(TEMPLATES);
		expect(out).toEqual([
			expect.objectContaining({
				name: 'results_ready_v2',
				language: 'es',
				status: 'PENDING',
				category: 'UTILITY',
			}),
			expect.objectContaining({
				name: 'results_ready_v2',
				language: 'en',
				status: 'PENDING',
				category: 'UTILITY',
			}),
		]);

		// The dropdown is loaded (and cached) while the templates are still pending...
		expect(await dropdown()).not.toContain('results_ready_v2');
		// ...the review approves both and the trigger receives the status events on its Other output.
		await waitFor(() =>
			trigger
				.items(2)
				.filter(
					(item) =>
						item.event === 'APPROVED' &&
						(item.template as IDataObject)?.name === 'results_ready_v2',
				).length === 2
				? true
				: undefined,
		);
		expect(await dropdown()).toContain('results_ready_v2');

		const send = await runWorkflow(
			single('n8n-nodes-whatsapp-hsm.sendHsmTemplate', 'Send HSM Template', {
				storeFile,
				to: '+54 9 11 5555 7777',
				template: 'results_ready_v2',
				defaultLanguage: 'es',
				variables: { mappingMode: 'defineBelow', value: { 'body.1': 'Emilia' } },
			}),
			{ credentials: credentials() },
		);
		expect(send.error).toBeUndefined();
		expect(send.json('Send HSM Template')[0]).toMatchObject({
			status: 'sent',
			template: 'results_ready_v2',
			language: 'es',
		});
		expect(sandbox.control.ledger.forRecipient('5491155557777')[0].rendered?.body).toBe(
			'Hola Emilia, tus resultados ya están listos.',
		);
	});

	it("rejects a promotion submitted as utility (the sandbox's documented rule) and list shows the reason", async () => {
		await templatesNode(create(), [
			{
				name: 'promo_as_utility',
				language: 'es',
				body: 'Hola {{1}}, aprovechá 20 % de descuento en chequeos.',
				button: 'Quiero',
			},
		]);
		await waitFor(() =>
			trigger
				.items(2)
				.some(
					(item) =>
						item.event === 'REJECTED' &&
						(item.template as IDataObject)?.name === 'promo_as_utility',
				)
				? true
				: undefined,
		);
		const listed = await templatesNode({
			operation: 'list',
			filters: { name: 'promo_as_utility' },
		});
		expect(listed.json(TEMPLATES)).toEqual([
			expect.objectContaining({
				name: 'promo_as_utility',
				status: 'REJECTED',
				rejectionReason: 'INCORRECT_CATEGORY',
				rejectionMeaning: expect.stringContaining('category'),
				quality: 'UNKNOWN',
			}),
		]);
	});

	it('refuses a bad item before submitting anything, naming the field; with continueOnFail the good items go', async () => {
		const before = sandbox.control.templates().length;
		const items = [
			{
				name: 'ok_template_x',
				language: 'es',
				body: 'Hola {{1}}, gracias por tu visita.',
				button: 'Ok',
			},
			{ name: 'Bad Name', language: 'es', body: '{{1}} hola', button: 'Ok' },
		];
		const stopped = await templatesNode(create(), items);
		expect(stopped.error?.message).toBe(
			'Item 1: Name "Bad Name" may only have lowercase letters, digits and underscores: e.g. bad_name',
		);
		expect((stopped.error as { description?: string }).description).toContain(
			'Body starts or ends with a variable',
		);
		expect(sandbox.control.templates()).toHaveLength(before);

		const partial = await templatesNode(create(), items, { continueOnFail: true });
		expect(partial.json(TEMPLATES).map((item) => item.status)).toEqual(['PENDING', 'failed']);
		expect(sandbox.control.templates()).toHaveLength(before + 1);

		// Meta's own refusal of a duplicate name + language comes back as the item's error.
		const duplicate = await templatesNode(create(), [items[0]], { continueOnFail: true });
		expect(duplicate.json(TEMPLATES)[0]).toMatchObject({ status: 'failed' });
		expect(String(duplicate.json(TEMPLATES)[0].error)).toContain('WhatsApp error 100');
		expect(String(duplicate.json(TEMPLATES)[0].fix)).toContain(
			'Message template already exists: There is already es content for this template.',
		);
	});

	it('gets by ID or by name, and deletes one language by ID or every language by name', async () => {
		await templatesNode(create(), [
			{ name: 'to_delete', language: 'es', body: 'Hola {{1}}, esto se borra.', button: 'Ok' },
			{ name: 'to_delete', language: 'en', body: 'Hi {{1}}, this goes away.', button: 'Ok' },
		]);
		const byName = await templatesNode({ operation: 'get', getName: 'to_delete' });
		const [es, en] = byName.json(TEMPLATES);
		expect([es.language, en.language]).toEqual(['es', 'en']);
		const byId = await templatesNode({ operation: 'get', templateId: String(en.id) });
		expect(byId.json(TEMPLATES)).toEqual([
			expect.objectContaining({
				id: en.id,
				name: 'to_delete',
				language: 'en',
				status: expect.any(String),
				components: expect.any(Array),
			}),
		]);

		expect(
			(
				await templatesNode({ operation: 'delete', name: 'to_delete', templateId: String(en.id) })
			).json(TEMPLATES),
		).toEqual([{ deleted: true, name: 'to_delete', id: en.id }]);
		expect(
			sandbox.control
				.templates()
				.filter((template) => template.name === 'to_delete')
				.map((template) => template.language),
		).toEqual(['es']);
		expect(
			(await templatesNode({ operation: 'delete', name: 'to_delete' })).json(TEMPLATES),
		).toEqual([{ deleted: true, name: 'to_delete', allLanguages: true }]);
		expect(sandbox.control.templates().some((template) => template.name === 'to_delete')).toBe(
			false,
		);
		const gone = await templatesNode({ operation: 'delete', name: 'to_delete' }, [{}], {
			continueOnFail: true,
		});
		expect(gone.json(TEMPLATES)[0]).toMatchObject({ status: 'failed' });
	});
});
