/** Dry-run figures, the rate card, campaign IDs and the report's rows and chart, on a real SQLite store. */
import {
	DEFAULT_RATE_CARD,
	checkCampaignId,
	deriveCampaignId,
	estimateCampaign,
	funnelChartSvg,
	funnelRows,
	parseRateCard,
	priceOf,
	type DryRunRow,
} from '../../lib/campaign';
import catalogueJson from '../../sandbox/catalogue.json';
import type { MessageTemplate } from '../../lib/cloud-api/types';
import { SqliteStore } from '../../lib/store/sqlite';
import { arPhone, arWaId } from './helpers';

const catalogue = catalogueJson as MessageTemplate[];
const translations = (name: string) => catalogue.filter((template) => template.name === name);
const BUSINESS = '1000000001';

let store: SqliteStore;
beforeEach(() => {
	store = new SqliteStore({ path: ':memory:' });
});
afterEach(async () => {
	await store.close();
});

test('dry run: more recipients outside the window than the tier allows is flagged; marketing is billed inside the window too', async () => {
	const total = 260;
	await store.recordInbound({
		businessNumberId: BUSINESS,
		waId: arWaId(0),
		at: Date.now() - 60_000,
	});
	const rows: DryRunRow[] = [];
	const summary = await estimateCampaign({
		read: (index) => ({
			phone: arPhone(index),
			values: { 'body.1': 'Ana', 'body.2': '10 %', 'button.0.coupon_code': 'SALUD10' },
		}),
		total,
		template: {
			name: 'coupon_code',
			translations: translations('coupon_code'),
			defaultLanguage: 'es',
		},
		campaignId: 'estimate',
		businessNumberId: BUSINESS,
		store,
		rateCard: DEFAULT_RATE_CARD,
		phoneInfo: {
			id: BUSINESS,
			display_phone_number: '+54 11 4000 1000',
			throughput: { level: 'STANDARD' },
			whatsapp_business_manager_messaging_limit: 'TIER_250',
		},
		onRow: (row) => rows.push(row),
	});
	expect(rows).toHaveLength(total);
	expect(rows[0]).toMatchObject({
		status: 'would_send',
		windowOpen: true,
		priceCategory: 'marketing',
		price: 0.0618,
	});
	expect(summary).toMatchObject({
		wouldSend: total,
		outsideWindow: total - 1,
		messagingLimit: { tier: 'TIER_250', limit: 250 },
		exceedsMessagingLimit: true,
		byPriceCategory: { marketing: { count: total, cost: 16.068 } },
		estimatedCost: 16.068,
		rateCap: 80,
		estimatedSeconds: 4,
	});
	// Nothing was claimed.
	expect((await store.listRecipients('estimate')).recipients).toEqual([]);
});

test('the rate card: the default is dated, edits are checked field by field, unknown countries use "other"', () => {
	expect(parseRateCard('')).toBe(DEFAULT_RATE_CARD);
	expect(DEFAULT_RATE_CARD.effectiveDate).toBe('2025-07-01');
	expect(() => parseRateCard('{')).toThrow(/not valid JSON/);
	expect(() => parseRateCard({ effectiveDate: '1 July', currency: 'USD' })).toThrow(
		/effectiveDate must be/,
	);
	expect(() =>
		parseRateCard({ effectiveDate: '2026-01-01', currency: 'USD', markets: { Argentina: {} } }),
	).toThrow(/markets\.Argentina: use two-letter/);
	expect(() =>
		parseRateCard({
			effectiveDate: '2026-01-01',
			currency: 'USD',
			markets: { br: { marketing: -1 } },
		}),
	).toThrow(/markets\.br\.marketing must be a price/);
	expect(() =>
		parseRateCard({ effectiveDate: '2026-01-01', currency: 'USD', other: { service: 0.01 } }),
	).toThrow(/other\.service is not a category/);
	const card = parseRateCard(
		JSON.stringify({
			effectiveDate: '2026-01-01',
			currency: 'EUR',
			markets: { br: { marketing: 0.0625, authentication: 0.0068 } },
			other: { utility: 0.01 },
		}),
	);
	expect(priceOf(card, 'BR', 'marketing')).toBe(0.0625);
	expect(priceOf(card, 'BR', 'authentication_international')).toBe(0.0068);
	expect(priceOf(card, 'DE', 'utility')).toBe(0.01);
	expect(priceOf(card, 'DE', 'marketing')).toBe(0);
	expect(priceOf(card, 'BR', 'free')).toBe(0);
});

test('campaign IDs: stable for the same workflow, node, template and name; another name is another campaign', () => {
	const parts = {
		workflowId: 'wf1',
		nodeName: 'Bulk Campaign',
		template: 'coupon_code',
		name: 'Octubre — 10 % off',
	};
	expect(deriveCampaignId(parts)).toBe(deriveCampaignId({ ...parts }));
	expect(deriveCampaignId(parts)).toMatch(/^octubre-10-off-[0-9a-f]{12}$/);
	expect(deriveCampaignId({ ...parts, name: 'Noviembre' })).not.toBe(deriveCampaignId(parts));
	expect(deriveCampaignId({ ...parts, nodeName: 'Other node' })).not.toBe(deriveCampaignId(parts));
	expect(checkCampaignId('x'.repeat(121))).toMatch(/at most 120/);
	expect(checkCampaignId('ok-id')).toBeUndefined();
});

test('report rows and chart from a campaign summary', async () => {
	const at = Date.UTC(2026, 9, 1, 12);
	await store.claimRecipients(
		'report',
		['a', 'b', 'c', 'd'].map((recipientId) => ({ recipientId })),
		{ businessNumberId: BUSINESS, at },
	);
	await store.recordResults('report', [
		{ recipientId: 'a', state: 'sent', wamid: 'w.a', at },
		{ recipientId: 'b', state: 'sent', wamid: 'w.b', at },
		{ recipientId: 'c', state: 'sent', wamid: 'w.c', at },
		{ recipientId: 'd', state: 'failed', code: 131026, at },
	]);
	await store.recordStatus({
		wamid: 'w.a',
		status: 'read',
		at: at + 60_000,
		campaignId: 'report',
		recipientId: 'a',
	});
	await store.recordStatus({
		wamid: 'w.b',
		status: 'delivered',
		at: at + 120_000,
		campaignId: 'report',
		recipientId: 'b',
	});
	await store.recordStatus({
		wamid: 'w.c',
		status: 'failed',
		at: at + 180_000,
		campaignId: 'report',
		recipientId: 'c',
		errorCode: 131049,
	});
	const summary = await store.summariseCampaign('report');
	const rows = funnelRows(summary);
	expect(rows.map((row) => [row.step, row.count, row.percent, row.code ?? null])).toEqual([
		['sent', 3, 75, null],
		['delivered', 2, 66.7, null],
		['read', 1, 33.3, null],
		['replied', 0, 0, null],
		['failed', 1, 25, '131026'],
		['failed', 1, 25, '131049'],
	]);
	expect(rows[4].meaning).toMatch(/undeliverable/i);
	const svg = funnelChartSvg(summary, { title: 'A <b>"quoted"</b> & title' });
	expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
	expect(svg).toContain('A &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; title');
	expect((svg.match(/<polyline/g) ?? []).length).toBe(5);
	expect(svg).toContain('delivered (2)');
	expect(funnelChartSvg({ ...summary, timeline: [] })).toContain('No statuses recorded yet');
});
