/**
 * The Bulk Campaign node through n8n-core's WorkflowExecute against the sandbox over loopback, with the
 * embedded store in a temp file and the sandbox's status webhooks recorded in that store (as the trigger does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, INode } from 'n8n-workflow';

import { SqliteStore } from '../../lib/store/sqlite';
import IORedis from 'ioredis';

import { RedisStore } from '../../lib/store/redis';
import { closeSharedRateLimiters } from '../../nodes/BulkCampaign/limiter';
import { closeSharedStores } from '../../nodes/common/store';
import { clearTemplateCache } from '../../nodes/common/templates';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { startStatusReceiver, type StatusReceiver } from '../campaign/status-receiver';
import { afterInputItems, runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-credentials';

const NODE = 'Bulk Campaign';
const dir = mkdtempSync(join(tmpdir(), 'wa-bulk-'));
const storeFile = join(dir, 'store.sqlite');
const BUSINESS = '1000000001';
let sandbox: RunningSandbox;
let store: SqliteStore;
let receiver: StatusReceiver;

const phone = (i: number) => `+549115${String(i).padStart(7, '0')}`;
const waId = (i: number) => phone(i).slice(1);

beforeAll(async () => {
	store = new SqliteStore({ path: storeFile });
	receiver = await startStatusReceiver(store, 'sandbox-app-secret');
	sandbox = await startSandbox({ statusDelayMs: 5, throughputMps: 1000, webhookUrl: receiver.url });
});
afterAll(async () => {
	await sandbox.stop();
	await receiver.close();
	await closeSharedStores();
	await closeSharedRateLimiters();
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
	sandbox.control.reset();
	clearTemplateCache();
});

const credentials = () => sandboxCredentials(sandbox.url, { phoneNumberId: BUSINESS });

function workflow(
	items: IDataObject[],
	parameters: IDataObject,
	options: { continueOnFail?: boolean } = {},
) {
	const node: INode = {
		id: 'bulk',
		name: NODE,
		type: 'n8n-nodes-whatsapp-hsm.bulkCampaign',
		typeVersion: 1,
		position: [200, 0],
		// Dry Run is on by default for a new node; these tests send unless they ask for a dry run.
		parameters: { storeFile, dryRun: false, ...parameters },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	return afterInputItems(node, items);
}

const run = (
	items: IDataObject[],
	parameters: IDataObject,
	options?: { continueOnFail?: boolean; credentials?: Record<string, IDataObject> },
) =>
	runWorkflow(workflow(items, parameters, options), {
		credentials: { ...credentials(), ...(options?.credentials ?? {}) } as never,
	});

/** A marketing template with a coupon button */
const coupon = (campaignName: string, options: IDataObject = {}) => ({
	operation: 'send',
	campaignName,
	phone: '={{ $json.phone }}',
	template: 'coupon_code',
	defaultLanguage: 'es',
	recipientLanguage: '={{ $json.language }}',
	variables: {
		mappingMode: 'defineBelow',
		value: { 'body.1': '={{ $json.name }}', 'body.2': '10 %', 'button.0.coupon_code': 'SALUD10' },
	},
	options: { tags: '={{ $json.segment }}', ...options },
});

/** A utility template */
const resume = (campaignName: string, options: IDataObject = {}, extra: IDataObject = {}) => ({
	operation: 'send',
	campaignName,
	phone: '={{ $json.phone }}',
	template: 'resume_contact',
	defaultLanguage: 'es',
	variables: {
		mappingMode: 'defineBelow',
		value: { 'body.1': '={{ $json.name }}', 'body.2': 'Sofía' },
	},
	options,
	...extra,
});

const people = (from: number, count: number) =>
	Array.from({ length: count }, (_, k) => ({
		phone: phone(from + k),
		name: `Ana ${from + k}`,
		language: 'es_AR',
		segment: 'vip',
	}));

describe('Bulk Campaign node', () => {
	it('skips with reasons, sends duplicate rows once, and a rerun of the same campaign sends nothing new', async () => {
		await store.setOptState(BUSINESS, waId(2), {
			optedOut: true,
			at: Date.now() - 1_000,
			reason: 'keyword',
			detail: 'BAJA',
		});
		await store.recordMarketingSend(
			BUSINESS,
			waId(3),
			'another-campaign:x',
			Date.now() - 3_600_000,
		);
		await store.markMarketingHold(BUSINESS, waId(4), Date.now() + 3_600_000);
		const items: IDataObject[] = [
			...people(1, 4),
			{ phone: '+1 212 736 0101', name: 'Joe', language: 'en' },
			{ phone: 'not a phone', name: 'Nobody', language: 'es' },
			{ phone: phone(1).replace('+549', '+54 9 '), name: 'Ana again', language: 'es' },
			{ phone: phone(6), name: 'Line\nbreak', language: 'es' },
			...people(7, 3),
		];
		const params = coupon('skips', { frequencyCap: 1, frequencyCapDays: 7, addSummary: true });
		const result = await run(items, params);
		expect(result.error).toBeUndefined();
		const [sent, notSent] = result.output(NODE);
		expect(
			sent.filter((item) => item.json.type !== 'summary').map((item) => item.pairedItem),
		).toEqual([{ item: 0 }, { item: 8 }, { item: 9 }, { item: 10 }]);
		expect(sent[0].json).toMatchObject({
			status: 'sent',
			phone: phone(1),
			waId: waId(1),
			template: 'coupon_code',
			language: 'es',
			tags: ['vip'],
			attempts: 1,
		});
		const reasons = Object.fromEntries(
			notSent.map((item) => [(item.pairedItem as { item: number }).item, item.json.reason]),
		);
		expect(reasons).toEqual({
			1: 'opted_out',
			2: 'frequency_cap',
			3: 'marketing_hold_131049',
			4: 'us_marketing',
			5: 'invalid',
			6: 'duplicate',
			7: 'invalid',
		});
		const bad = notSent.find((item) => (item.pairedItem as { item: number }).item === 7)!.json;
		expect(bad).toMatchObject({ status: 'skipped', field: 'body.1' });
		expect(String(bad.message)).toMatch(/^Item 7: body\.1/);
		expect(
			notSent.find((item) => (item.pairedItem as { item: number }).item === 3)!.json,
		).toMatchObject({ code: 131049, meaning: expect.stringMatching(/marketing limit/) });
		const summary = sent[sent.length - 1].json;
		expect(summary).toMatchObject({
			type: 'summary',
			total: 11,
			counts: { sent: 4, skipped: 7, failed: 0, uncertain: 0, paused: 0 },
			byReason: { invalid: 2, duplicate: 1 },
			stoppedBy: 'completed',
			rateCap: 1000,
		});
		expect(sandbox.control.ledger.count()).toBe(4);

		const again = await run(items, params);
		const [sentAgain, notSentAgain] = again.output(NODE);
		expect(sentAgain.filter((item) => item.json.type !== 'summary')).toHaveLength(0);
		expect(notSentAgain.filter((item) => item.json.reason === 'already_sent')).toHaveLength(4);
		expect(notSentAgain[0].json.campaignId).toBe(sent[0].json.campaignId);
		expect(sandbox.control.ledger.count()).toBe(4);
		expect(sandbox.control.ledger.duplicates()).toEqual([]);
	});

	it("per-recipient parameters read without n8n's expression runtime give n8n's own values", async () => {
		// Bare `{{ $json… }}` fields are read from the item directly; anything else is still n8n's evaluation.
		const items: IDataObject[] = [
			{ phone: phone(21), person: { name: 'Ana' }, 'the agent': 'Sofía', tz: 'es' },
			{ phone: Number(waId(22)), person: { name: 42 }, 'the agent': 'Luis', tz: 'es' },
			{ phone: phone(23), person: {}, 'the agent': 'Eva', tz: 'es' },
			{ phone: phone(24), person: { name: ['not', 'text'] }, 'the agent': 'Eva', tz: 'es' },
		];
		const result = await run(items, {
			operation: 'send',
			campaignName: 'item-parameters',
			phone: '={{ $json.phone }}',
			template: 'resume_contact',
			defaultLanguage: 'es',
			recipientLanguage: "={{ $json['tz'] }}",
			variables: {
				mappingMode: 'defineBelow',
				value: { 'body.1': '={{ $json.person.name }}', 'body.2': '={{ $json["the agent"] }}' },
			},
			options: { tags: '={{ "t-" + $json.tz }}' },
		});
		expect(result.error).toBeUndefined();
		const [sent, notSent] = result.output(NODE);
		expect(sent.map((item) => [item.json.phone, item.json.tags])).toEqual([
			[phone(21), ['t-es']],
			[phone(22), ['t-es']],
		]);
		const bodies = sandbox.control.ledger
			.all()
			.map((entry) => entry.rendered?.body?.slice(0, 18))
			.sort();
		expect(bodies).toEqual(['Hola 42, soy Luis,', 'Hola Ana, soy Sofí']);
		// A missing field and an array went through n8n: the same field-named refusals as before.
		expect(notSent.map((item) => [item.pairedItem, item.json.field])).toEqual([
			[{ item: 2 }, 'body.1'],
			[{ item: 3 }, 'body.1'],
		]);
	});

	it('Output "Not Sent + Summary" and "Summary Only" leave the sent recipients out of the items, not out of the store', async () => {
		const items: IDataObject[] = [...people(300, 4), { phone: 'not a phone', name: 'Nobody' }];
		const notSentRun = await run(items, resume('output-not-sent', { output: 'notSent' }));
		expect(notSentRun.error).toBeUndefined();
		const [sent, notSent] = notSentRun.output(NODE);
		expect(sent.map((item) => item.json.type)).toEqual(['summary']);
		expect(sent[0].json).toMatchObject({ total: 5, counts: { sent: 4, skipped: 1 } });
		expect(sent[0].pairedItem).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(notSent.map((item) => [item.pairedItem, item.json.reason])).toEqual([
			[{ item: 4 }, 'invalid'],
		]);

		const summaryRun = await run(
			[...people(310, 4), { phone: 'not a phone', name: 'Nobody' }],
			resume('output-summary', { output: 'summary' }),
		);
		const [summaryOnly, none] = summaryRun.output(NODE);
		expect(summaryOnly).toHaveLength(1);
		expect(summaryOnly[0].json).toMatchObject({
			type: 'summary',
			total: 5,
			counts: { sent: 4, skipped: 1 },
			byReason: { invalid: 1 },
		});
		expect(none).toEqual([]);
		expect(sandbox.control.ledger.count()).toBe(8);
		const recorded = await store.summariseCampaign(String(summaryOnly[0].json.campaignId));
		expect(recorded.total).toBe(4);
	});

	it('pauses on 132015 with the rest reported as resumable, and a rerun sends exactly the rest', async () => {
		const items = people(100, 30);
		const params = resume('pause', { maxRate: 10 });
		const running = run(items, params);
		// Meta pauses the template while the campaign is sending.
		while (sandbox.control.ledger.count() < 2)
			await new Promise((resolve) => setTimeout(resolve, 5));
		sandbox.control.setTemplateStatus('resume_contact', 'es', 'PAUSED');
		const [sent, notSent] = (await running).output(NODE);
		expect(sent.length).toBeGreaterThanOrEqual(2);
		expect(sent.length + notSent.length).toBe(30);
		expect(notSent.every((item) => item.json.status === 'paused')).toBe(true);
		expect(notSent.some((item) => item.json.code === 132015)).toBe(true);
		expect(String(notSent[notSent.length - 1].json.message)).toMatch(/resumable.*paused/i);
		expect(sandbox.control.ledger.count()).toBe(sent.length);

		sandbox.control.setTemplateStatus('resume_contact', 'es', 'APPROVED');
		clearTemplateCache();
		const resumed = (await run(items, params)).output(NODE);
		expect(resumed[0]).toHaveLength(notSent.length);
		expect(sandbox.control.ledger.count()).toBe(30);
		expect(sandbox.control.ledger.duplicates()).toEqual([]);
	});

	it('dry run: nothing sent; rendered text, validation and price category per recipient; costs, window and tier in the summary', async () => {
		sandbox.control.configure({ messagingLimitTier: 'TIER_250' });
		await store.recordInbound({
			businessNumberId: BUSINESS,
			waId: waId(201),
			at: Date.now() - 3_600_000,
		});
		const items = [
			{ phone: phone(200), name: 'Ana' },
			{ phone: phone(201), name: 'Bea' },
			{ phone: '+55 11 91234 5678', name: 'Caio' },
			{ phone: '12', name: 'Dan' },
		];
		const result = await run(items, resume('dry', {}, { dryRun: true }));
		expect(result.error).toBeUndefined();
		const [would, skipped, estimate] = result.output(NODE);
		expect(sandbox.control.ledger.count()).toBe(0);
		// Recipients only: the summary has its own output (Estimate), so Table view has no "undefined" cells.
		expect(would.map((item) => item.json.status)).toEqual([
			'would_send',
			'would_send',
			'would_send',
		]);
		expect(would[0].json).toMatchObject({
			dryRun: true,
			status: 'would_send',
			valid: true,
			country: 'AR',
			category: 'UTILITY',
			priceCategory: 'utility',
			price: 0.0289,
			currency: 'USD',
			windowOpen: false,
		});
		expect(would[0].json.renderedText).toContain('Hola Ana, soy Sofía');
		expect(would[1].json).toMatchObject({ priceCategory: 'free', price: 0, windowOpen: true });
		expect(would[2].json).toMatchObject({ country: 'BR', priceCategory: 'utility', price: 0.0077 });
		expect(skipped).toHaveLength(1);
		expect(skipped[0].json).toMatchObject({
			status: 'skipped',
			reason: 'invalid',
			valid: false,
			field: 'phone',
		});
		expect(estimate).toHaveLength(1);
		const summary = estimate[0].json;
		expect(summary).toMatchObject({
			type: 'summary',
			dryRun: true,
			total: 4,
			wouldSend: 3,
			skipped: 1,
			estimatedCost: 0.0366,
			currency: 'USD',
			rateCard: { effectiveDate: '2025-07-01' },
			byPriceCategory: { utility: { count: 2, cost: 0.0366 }, free: { count: 1, cost: 0 } },
			byCountry: { AR: { count: 2, cost: 0.0289 }, BR: { count: 1, cost: 0.0077 } },
			outsideWindow: 2,
			messagingLimit: { tier: 'TIER_250', limit: 250 },
			exceedsMessagingLimit: false,
			rateCap: 1000,
			estimatedSeconds: 1,
		});
		// Nothing was claimed: the real run sends all three.
		expect(await store.listRecipients(String(summary.campaignId))).toEqual({ recipients: [] });
	});

	it('reports the funnel from the recorded statuses, failed by code, with an SVG chart', async () => {
		sandbox.control.notOnWhatsApp(waId(302));
		const sent = (await run(people(300, 4), resume('funnel'))).output(NODE);
		expect(sent[0]).toHaveLength(3);
		expect(sent[1][0].json).toMatchObject({ status: 'failed', code: 131026, reason: 'failed' });
		const campaignId = String(sent[0][0].json.campaignId);
		await sandbox.control.waitForWebhooksIdle(10_000);
		// Webhook timestamps are whole seconds: the reply is dated a second after the send, as a person's would be.
		sandbox.control.inbound({
			from: waId(300),
			text: 'gracias',
			timestamp: new Date(Date.now() + 1_000),
		});
		await sandbox.control.waitForWebhooksIdle(10_000);

		const report = await run([{}], {
			operation: 'report',
			reportCampaignId: campaignId,
			reportOptions: { includeChart: true },
		});
		expect(report.error).toBeUndefined();
		const rows = report.output(NODE)[0];
		expect(rows.map((row) => [row.json.step, row.json.count, row.json.code ?? null])).toEqual([
			['sent', 3, null],
			['delivered', 3, null],
			['read', 3, null],
			['replied', 1, null],
			['failed', 1, '131026'],
		]);
		expect(rows[0].json).toMatchObject({ campaignId, total: 4, percent: 75 });
		const chart = rows[0].binary?.chart;
		expect(chart).toMatchObject({
			mimeType: 'image/svg+xml',
			fileName: `${campaignId}-funnel.svg`,
		});
		const svg = Buffer.from(chart!.data, 'base64').toString('utf8');
		expect(svg).toMatch(/^<svg/);
		expect(svg).toContain('replied (1)');
	});

	it('names the field of a campaign-wide error, and with continueOnFail reports every recipient as not sent', async () => {
		const items = people(400, 3);
		const failed = await run(items, { ...resume('oops'), template: 'no_such_template' });
		expect(failed.error?.message).toMatch(/Template — no template named "no_such_template"/);
		const result = await run(
			items,
			{ ...resume('oops'), template: 'no_such_template' },
			{ continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		const [sent, notSent] = result.output(NODE);
		expect(sent).toHaveLength(0);
		expect(notSent.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(notSent[0].json).toMatchObject({ status: 'failed', reason: 'error' });
		expect(sandbox.control.ledger.count()).toBe(0);
	});
});

describe('Bulk Campaign node: Stop If Any Recipient Is Invalid', () => {
	it('sends nothing when one recipient is invalid, naming the item and the field', async () => {
		const items = [...people(500, 2), { phone: phone(502), name: '', language: 'es' }];
		const failed = await run(items, resume('strict', { stopOnInvalid: true }));
		expect(failed.error?.message).toMatch(/^Item 2: Template Variables › Body \{\{1\}\}/);
		expect(sandbox.control.ledger.count()).toBe(0);

		const reported = await run(items, resume('strict', { stopOnInvalid: true }), {
			continueOnFail: true,
		});
		const [sent, notSent] = reported.output(NODE);
		expect(sent).toHaveLength(0);
		expect(notSent.map((item) => [item.pairedItem, item.json.reason])).toEqual([
			[{ item: 0 }, 'stopped_invalid_input'],
			[{ item: 1 }, 'stopped_invalid_input'],
			[{ item: 2 }, 'invalid'],
		]);
		expect(sandbox.control.ledger.count()).toBe(0);
	});
});

describe('Bulk Campaign node: queue mode', () => {
	it("with the Redis store, claims live in Redis and the number's token bucket is shared there", async () => {
		const keyPrefix = `test-engine-bulk-${Date.now()}:`;
		const redis = {
			host: process.env.TEST_REDIS_HOST ?? '127.0.0.1',
			port: Number(process.env.TEST_REDIS_PORT),
			password: process.env.TEST_REDIS_PASSWORD ?? '',
			database: 0,
			tls: false,
			prefix: keyPrefix,
		};
		const items = people(600, 5);
		const params = { ...resume('queue', { maxRate: 50 }), store: 'redis' };
		const result = await run(items, params, { credentials: { whatsAppStoreRedisApi: redis } });
		expect(result.error).toBeUndefined();
		expect(result.output(NODE)[0]).toHaveLength(5);
		const campaignId = String(result.output(NODE)[0][0].json.campaignId);
		const direct = await RedisStore.connect({ ...redis, keyPrefix });
		const client = new IORedis({ host: redis.host, port: redis.port, password: redis.password });
		try {
			expect((await direct.getRecipient(campaignId, waId(600)))?.state).toBe('sent');
			// One bucket per phone number ID, under the store's prefix, that every worker's limiter uses.
			expect(await client.exists(`${keyPrefix}rate:${BUSINESS}`)).toBe(1);
			const again = await run(items, params, { credentials: { whatsAppStoreRedisApi: redis } });
			expect(again.output(NODE)[1].map((item) => item.json.reason)).toEqual(
				Array(5).fill('already_sent'),
			);
			expect(sandbox.control.ledger.count()).toBe(5);
		} finally {
			await direct.close();
			client.disconnect();
		}
	});
});
