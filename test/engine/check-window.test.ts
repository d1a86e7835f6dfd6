/**
 * Check Conversation Window through n8n-core's real WorkflowExecute: Input Items → Check Conversation Window,
 * with the embedded store on a temporary file (filled beforehand like the trigger would) or on the test Redis.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, INode } from 'n8n-workflow';

import { RedisStore } from '../../lib/store/redis';
import { SqliteStore } from '../../lib/store/sqlite';
import { afterInputItems, runWorkflow } from '../helpers/engine';
import { closeSharedStores } from '../../nodes/common/store';
import { CheckConversationWindow } from '../../nodes/CheckConversationWindow/CheckConversationWindow.node';

const HOUR = 3600_000;
const BN = '106540352242922';
const NODE = 'Check Conversation Window';
const checkAt = Date.UTC(2026, 5, 10, 12, 0, 0);
const before = (ms: number) => checkAt - ms;
const iso = (ms: number) => new Date(ms).toISOString();

const dir = mkdtempSync(join(tmpdir(), 'wa-check-'));
const storeFile = join(dir, 'store.sqlite');
const cloudApi = {
	provider: 'sandbox',
	baseUrl: 'http://127.0.0.1:1',
	apiVersion: 'v24.0',
	accessToken: 'token',
	phoneNumberId: BN,
	wabaId: 'waba',
};

function workflow(items: IDataObject[], parameters: IDataObject, settings: Partial<INode> = {}) {
	return afterInputItems(
		{
			id: 'check',
			name: NODE,
			type: 'n8n-nodes-whatsapp-hsm.checkConversationWindow',
			typeVersion: 1,
			position: [200, 0],
			parameters: { storeFile, businessPhoneNumberId: BN, ...parameters },
			...settings,
		},
		items,
	);
}

async function run(
	items: IDataObject[],
	parameters: IDataObject,
	options: { settings?: Partial<INode>; credentials?: Record<string, IDataObject> } = {},
) {
	const result = await runWorkflow(workflow(items, parameters, options.settings), {
		credentials: options.credentials as never,
	});
	return result;
}

function routed(result: Awaited<ReturnType<typeof run>>) {
	const [open, closed] = result.output(NODE);
	return {
		open: open.map((item) => item.json),
		closed: closed.map((item) => item.json),
		paired: [...open, ...closed]
			.map((item) => (item.pairedItem as { item: number }).item)
			.sort((a, b) => a - b),
	};
}

beforeAll(async () => {
	const store = new SqliteStore({ path: storeFile });
	await store.recordInbounds([
		{
			businessNumberId: BN,
			waId: '5491100000001',
			at: before(24 * HOUR - 1000),
			profileName: 'Just inside',
		},
		{
			businessNumberId: BN,
			waId: '5491100000002',
			at: before(24 * HOUR + 1000),
			profileName: 'Just outside',
		},
		{
			businessNumberId: BN,
			waId: '5491155551234',
			at: Date.now() - 30 * HOUR,
			profileName: 'Emilia',
		},
		{
			businessNumberId: BN,
			waId: '5491100000003',
			at: before(2 * HOUR),
			referral: { sourceType: 'ad', sourceId: '1202' },
		},
		{
			businessNumberId: 'page-77',
			waId: '1254938275682919',
			at: before(23 * HOUR),
			channel: 'messenger',
		},
		{
			businessNumberId: 'page-77',
			waId: '1254938275682920',
			at: before(30 * HOUR),
			channel: 'messenger',
		},
		{
			businessNumberId: 'page-77',
			waId: '1254938275682921',
			at: before(8 * 24 * HOUR),
			channel: 'messenger',
		},
		{
			businessNumberId: 'ig-88',
			waId: '17841400000000001',
			at: before(25 * HOUR),
			channel: 'instagram',
		},
	]);
	await store.recordBusinessReply(BN, '5491100000003', before(HOUR));
	await store.claimRecontact(BN, '5491100000001', 'ticket-1', { at: before(HOUR) });
	await store.claimRecontact(BN, '5491100000002', 'ticket-3', { at: before(2 * HOUR) });
	await store.close();
});

afterAll(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

describe('Check Conversation Window (engine)', () => {
	it('routes WhatsApp contacts at the 24-hour boundary: 23:59:59 Open, 24:00:01 Closed, never wrote Closed', async () => {
		const items = [
			{ wa_id: '5491100000001', crm: 'a' },
			{ wa_id: '5491100000002' },
			{ wa_id: '5491100009999' },
		];
		const result = await run(items, { options: { checkAt: iso(checkAt) } });
		expect(result.error).toBeUndefined();
		const { open, closed, paired } = routed(result);
		expect(paired).toEqual([0, 1, 2]);
		expect(open).toHaveLength(1);
		expect(open[0]).toMatchObject({
			wa_id: '5491100000001',
			crm: 'a',
			window: {
				channel: 'whatsapp',
				state: 'open',
				lastInboundAt: iso(before(24 * HOUR - 1000)),
				expiresAt: iso(checkAt + 1000),
				remainingSeconds: 1,
				canSendFreeForm: true,
				needsTemplate: false,
				source: 'store',
				profileName: 'Just inside',
				freeEntryPointUntil: null,
				humanAgentUntil: null,
			},
		});
		expect(
			closed.map((json) => [
				json.wa_id,
				(json.window as IDataObject).state,
				(json.window as IDataObject).needsTemplate,
			]),
		).toEqual([
			['5491100000002', 'closed', true],
			['5491100009999', 'closed', true],
		]);
		expect((closed[1].window as IDataObject).lastInboundAt).toBeNull();
	});

	it("as an AI agent's tool (checkConversationWindowTool) answers every contact on the one output the agent reads", async () => {
		// n8n's tool variant of a usableAsTool node has the type name + "Tool" and hands the agent output 0 only.
		const toolType = 'n8n-nodes-whatsapp-hsm.checkConversationWindowTool';
		const json = workflow([{ wa_id: '5491100000002' }, { wa_id: '5491100000001' }], {
			options: { checkAt: iso(checkAt) },
		});
		json.nodes[1].type = toolType;
		const result = await runWorkflow(json, {
			extraNodeTypes: { [toolType]: new CheckConversationWindow() },
		});
		expect(result.error).toBeUndefined();
		const outputs = result.output(NODE);
		expect(outputs).toHaveLength(1);
		expect(
			outputs[0].map((item) => [
				item.json.wa_id,
				(item.json.window as IDataObject).state,
				item.pairedItem,
			]),
		).toEqual([
			['5491100000002', 'closed', { item: 0 }],
			['5491100000001', 'open', { item: 1 }],
		]);
		expect(new CheckConversationWindow().description.usableAsTool).toBe(true);
	});

	it('Emilia, 30 hours after her last message (now): Closed, a template is needed', async () => {
		const { closed, open } = routed(
			await run([{ phone: '+54 9 11 5555-1234', name: 'Emilia' }], {
				contact: '={{ $json.phone }}',
			}),
		);
		expect(open).toEqual([]);
		expect(closed[0].window).toMatchObject({
			state: 'closed',
			needsTemplate: true,
			action: 'send_template',
			profileName: 'Emilia',
			waId: '5491155551234',
		});
	});

	it('reports the free entry point opened by the reply to an ad', async () => {
		const { open } = routed(
			await run([{ wa_id: '5491100000003' }], { options: { checkAt: iso(checkAt) } }),
		);
		expect(open[0].window).toMatchObject({
			freeEntryPointActive: true,
			freeEntryPointUntil: iso(before(HOUR) + 72 * HOUR),
		});
	});

	it.each([
		['messenger', 'page-77', '1254938275682919', 'open', 'send_free_form'],
		['messenger', 'page-77', '1254938275682920', 'closed', 'send_with_human_agent_tag'],
		['messenger', 'page-77', '1254938275682921', 'closed', 'wait_for_user'],
		['instagram', 'ig-88', '17841400000000001', 'closed', 'send_with_human_agent_tag'],
	])('%s %s/%s → %s (%s)', async (channel, business, id, state, action) => {
		const result = await run([{ id }], {
			channel,
			businessPhoneNumberId: business,
			contact: '={{ $json.id }}',
			options: { checkAt: iso(checkAt) },
		});
		const { open, closed } = routed(result);
		const json = state === 'open' ? open[0] : closed[0];
		expect(json.window).toMatchObject({
			channel,
			state,
			action,
			needsTemplate: false,
			templatesAllowed: false,
		});
	});

	it('opens the file given under Conversation Store Options › Store File, before the older top-level Store File', async () => {
		const file = join(dir, 'store-options.sqlite');
		const chosen = new SqliteStore({ path: file });
		await chosen.recordInbound({ businessNumberId: BN, waId: '5491155550009', at: before(HOUR) });
		await chosen.close();
		const result = await run([{ wa_id: '5491155550009' }], {
			storeOptions: { file },
			options: { checkAt: iso(checkAt) },
		});
		expect(result.error).toBeUndefined();
		// The run's parameters also carry the default test file as storeFile: the option wins.
		expect(routed(result).open.map((json) => json.wa_id)).toEqual(['5491155550009']);
	});

	it('reads the window from a CRM field, saying which format it detected, without touching the store', async () => {
		const file = join(dir, 'never-created.sqlite');
		const items = [
			{ wa_id: '5491155550001', last: new Date(before(23 * HOUR)).toISOString() },
			{ wa_id: '5491155550002', last: before(25 * HOUR) / 1000 },
			{ wa_id: '5491155550003', last: String(before(HOUR)) },
			{ wa_id: '5491155550004', last: '2026-06-10 09:00:00' },
		];
		const result = await run(items, {
			windowSource: 'field',
			lastInboundTime: '={{ $json.last }}',
			storeFile: file,
			options: { checkAt: iso(checkAt), timeZone: 'America/Argentina/Buenos_Aires' },
		});
		expect(result.error).toBeUndefined();
		const { open, closed } = routed(result);
		expect(open.map((json) => [json.wa_id, (json.window as IDataObject).timestampFormat])).toEqual([
			['5491155550001', 'iso'],
			['5491155550003', 'unix-milliseconds'],
			['5491155550004', 'sql'],
		]);
		expect(open[2].window).toMatchObject({
			timestampAssumedZone: 'America/Argentina/Buenos_Aires',
			lastInboundAt: '2026-06-10T12:00:00.000Z',
			source: 'field',
		});
		expect(closed[0].window).toMatchObject({ timestampFormat: 'unix-seconds', state: 'closed' });
		expect(existsSync(file)).toBe(false);
	});

	it('later of both: a newer CRM time opens what the store has closed, and the other way round', async () => {
		const items = [
			{ wa_id: '5491100000002', last: before(HOUR) },
			{ wa_id: '5491100000001', last: before(40 * HOUR) },
			{ wa_id: '5491100000002', last: '' },
		];
		const { open, closed } = routed(
			await run(items, {
				windowSource: 'latest',
				lastInboundTime: '={{ $json.last }}',
				options: { checkAt: iso(checkAt) },
			}),
		);
		expect(open.map((json) => [json.wa_id, (json.window as IDataObject).source])).toEqual([
			['5491100000002', 'field'],
			['5491100000001', 'store'],
		]);
		expect(closed.map((json) => [json.wa_id, (json.window as IDataObject).source])).toEqual([
			['5491100000002', 'store'],
		]);
	});

	it('sends closed contacts whose recontact for the query is spent to a third output, Recontact Spent', async () => {
		const items = [
			{ wa_id: '5491100000001', ticket: 'ticket-1' },
			{ wa_id: '5491100000001', ticket: 'ticket-2' },
			{ wa_id: '5491100000002', ticket: 'ticket-3' },
			{ wa_id: '5491100000002', ticket: 'ticket-4' },
		];
		const result = await run(items, {
			recontactCheck: true,
			queryId: '={{ $json.ticket }}',
			options: { checkAt: iso(checkAt) },
		});
		const [open, closed, spent] = result
			.output(NODE)
			.map((output) => output.map((item) => item.json));
		// Inside the window an answer is not a recontact: both of the first contact's queries stay Open.
		expect(open.map((json) => json.ticket)).toEqual(['ticket-1', 'ticket-2']);
		expect(open[0].window).toMatchObject({
			recontact: { queryId: 'ticket-1', spent: true, spentAt: iso(before(HOUR)) },
		});
		expect(closed.map((json) => json.ticket)).toEqual(['ticket-4']);
		expect(closed[0].window).toMatchObject({
			needsTemplate: true,
			action: 'send_template',
			recontact: { spent: false },
		});
		expect(spent.map((json) => json.ticket)).toEqual(['ticket-3']);
		expect(spent[0].window).toMatchObject({
			state: 'closed',
			needsTemplate: false,
			action: 'wait_for_user',
			recontact: { queryId: 'ticket-3', spent: true, spentAt: iso(before(2 * HOUR)) },
		});
	});

	it('has two outputs without the recontact check and three with it (the editor shows what the engine routes)', async () => {
		const { buildWorkflow } = await import('../helpers/engine');
		const { NodeHelpers } = await import('n8n-workflow');
		const names = (recontactCheck: boolean) => {
			const json = workflow([], { recontactCheck });
			const wf = buildWorkflow(json);
			const node = wf.getNode(NODE)!;
			return NodeHelpers.getNodeOutputs(
				wf,
				node,
				wf.nodeTypes.getByNameAndVersion(node.type).description,
			).map((output) => (typeof output === 'string' ? output : output.displayName));
		};
		expect(names(false)).toEqual(['Open', 'Closed']);
		expect(names(true)).toEqual(['Open', 'Closed', 'Recontact Spent']);
	});

	it('takes the business number from the WhatsApp Cloud API credential when the parameter is empty', async () => {
		const result = await run(
			[{ wa_id: '5491100000001' }],
			{ businessPhoneNumberId: '', options: { checkAt: iso(checkAt) } },
			{ credentials: { whatsAppCloudApi: cloudApi } },
		);
		expect(routed(result).open).toHaveLength(1);
	});

	describe('errors', () => {
		it('stops on a missing contact, naming the item and the field', async () => {
			const result = await run([{ wa_id: '5491100000001' }, { name: 'no number' }], {});
			expect(result.error?.message).toBe(
				'Item 1, Contact: the contact is empty: map a wa_id or phone number',
			);
			expect(result.nodeError(NODE)?.description).toMatch(
				/Map the contact's wa_id or phone number/,
			);
		});

		it('stops on an unparseable number, a future timestamp, a missing query ID, a missing business number', async () => {
			expect((await run([{ wa_id: 'call me' }], {})).error?.message).toMatch(
				/^Item 0, Contact: the contact "call me" is not a valid phone number/,
			);
			const future = await run([{ wa_id: '5491100000001', last: Date.now() + 2 * HOUR }], {
				windowSource: 'field',
				lastInboundTime: '={{ $json.last }}',
			});
			expect(future.error?.message).toMatch(
				/^Item 0, Last Inbound Time: the last inbound time .* is in the future/,
			);
			const garbage = await run([{ wa_id: '5491100000001', last: 'soon' }], {
				windowSource: 'field',
				lastInboundTime: '={{ $json.last }}',
			});
			expect(garbage.error?.message).toMatch(
				/^Item 0, Last Inbound Time: the last inbound time "soon" is not a date/,
			);
			expect(
				(
					await run([{ wa_id: '5491100000001' }], {
						recontactCheck: true,
						queryId: '={{ $json.ticket }}',
					})
				).error?.message,
			).toMatch(/^Item 0, Query ID: /);
			expect(
				(await run([{ wa_id: '5491100000001' }], { businessPhoneNumberId: '' })).error?.message,
			).toMatch(/^Item 0, Business Phone Number ID: no business number/);
		});

		it('with Continue On Fail, bad items become error items on Closed and the others are routed', async () => {
			const items = [{ wa_id: '5491100000001' }, {}, { wa_id: 'nope' }, { wa_id: '5491100000002' }];
			const result = await run(
				items,
				{ options: { checkAt: iso(checkAt) } },
				{ settings: { continueOnFail: true } },
			);
			expect(result.error).toBeUndefined();
			const [open, closed] = result.output(NODE);
			expect(open.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
			expect(
				closed.map((item) => [
					item.pairedItem,
					item.json.error ?? (item.json.window as IDataObject).state,
				]),
			).toEqual([
				[{ item: 1 }, 'Item 1, Contact: the contact is empty: map a wa_id or phone number'],
				[
					{ item: 2 },
					expect.stringMatching(/^Item 2, Contact: the contact "nope" is not a valid phone number/),
				],
				[{ item: 3 }, 'closed'],
			]);
		});

		it('with the error output enabled, error items leave through it', async () => {
			const result = await run(
				[{ wa_id: '5491100000001' }, {}],
				{ options: { checkAt: iso(checkAt) } },
				{ settings: { onError: 'continueErrorOutput' } },
			);
			const [open, closed, errors] = result.output(NODE);
			expect(open).toHaveLength(1);
			expect(closed).toHaveLength(0);
			expect(errors.map((item) => item.json.error)).toEqual([
				'Item 1, Contact: the contact is empty: map a wa_id or phone number',
			]);
		});
	});

	it('reads the same answers from a Redis store selected by the credential', async () => {
		const prefix = `test-engine-check-${randomUUID().slice(0, 8)}:`;
		const redis = {
			host: process.env.TEST_REDIS_HOST ?? '127.0.0.1',
			port: Number(process.env.TEST_REDIS_PORT),
			password: process.env.TEST_REDIS_PASSWORD ?? '',
			database: 0,
			tls: false,
			prefix,
		};
		const store = await RedisStore.connect({ ...redis, keyPrefix: prefix });
		await store.recordInbound({ businessNumberId: BN, waId: '5491100000001', at: before(HOUR) });
		await store.close();
		const result = await run(
			[{ wa_id: '5491100000001' }, { wa_id: '5491100000002' }],
			{ store: 'redis', options: { checkAt: iso(checkAt) } },
			{ credentials: { whatsAppStoreRedisApi: redis } },
		);
		const { open, closed } = routed(result);
		expect(open.map((json) => json.wa_id)).toEqual(['5491100000001']);
		expect(closed.map((json) => json.wa_id)).toEqual(['5491100000002']);
		const wrong = await run(
			[{ wa_id: '5491100000001' }],
			{ store: 'redis' },
			{ credentials: { whatsAppStoreRedisApi: { ...redis, password: 'definitely-wrong-pw' } } },
		);
		expect(wrong.error?.message).toMatch(/refused the user name \/ password/);
		expect(JSON.stringify(wrong.run.data)).not.toContain('definitely-wrong-pw');
	});
});
