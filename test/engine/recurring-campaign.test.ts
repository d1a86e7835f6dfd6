/**
 * Recurring campaigns through n8n-core's WorkflowExecute, the sandbox over loopback and the embedded store, with
 * a controlled clock: jest fakes only `Date` (and lets it run on from the set time), so the node, luxon, the
 * store and the sandbox all read the test's "now" while timers, sockets and the event loop stay real.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, INode } from 'n8n-workflow';

import { SqliteStore } from '../../lib/store/sqlite';
import { closeSharedRateLimiters } from '../../nodes/BulkCampaign/limiter';
import { closeSharedStores } from '../../nodes/common/store';
import { clearTemplateCache } from '../../nodes/common/templates';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { startStatusReceiver, type StatusReceiver } from '../campaign/status-receiver';
import { afterInputItems, runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-credentials';

const NODE = 'Bulk Campaign';
const BA = 'America/Argentina/Buenos_Aires';
const dir = mkdtempSync(join(tmpdir(), 'wa-recurring-'));
const storeFile = join(dir, 'store.sqlite');
const BUSINESS = '1000000001';
let sandbox: RunningSandbox;
let store: SqliteStore;
let receiver: StatusReceiver;

/** Only Date is faked; it advances with real time from each setSystemTime. */
const REAL = [
	'nextTick',
	'setImmediate',
	'clearImmediate',
	'setTimeout',
	'clearTimeout',
	'setInterval',
	'clearInterval',
	'queueMicrotask',
	'hrtime',
	'performance',
] as const;
const clockAt = (iso: string) => jest.setSystemTime(Date.parse(iso));

beforeAll(async () => {
	store = new SqliteStore({ path: storeFile });
	receiver = await startStatusReceiver(store, 'sandbox-app-secret');
	sandbox = await startSandbox({ statusDelayMs: 5, throughputMps: 1000, webhookUrl: receiver.url });
	jest.useFakeTimers({ doNotFake: [...REAL], advanceTimers: true });
});
afterAll(async () => {
	jest.useRealTimers();
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

function workflow(items: IDataObject[], parameters: IDataObject, zone: string, name = NODE) {
	const node: INode = {
		id: name,
		name,
		type: 'n8n-nodes-whatsapp-hsm.bulkCampaign',
		typeVersion: 1,
		position: [200, 0],
		parameters: { storeFile, dryRun: false, ...parameters },
	};
	return afterInputItems(node, items, { settings: { timezone: zone } });
}

async function run(items: IDataObject[], parameters: IDataObject, zone = BA, name = NODE) {
	const result = await runWorkflow(workflow(items, parameters, zone, name), {
		credentials: sandboxCredentials(sandbox.url, { phoneNumberId: BUSINESS }) as never,
	});
	expect(result.error).toBeUndefined();
	// A dry run's summary is on its third output (Estimate), a send's on Sent.
	const [sent, notSent, estimate = []] = result.output(name);
	const summary = [...sent, ...estimate].find((item) => item.json.type === 'summary')?.json;
	return {
		sent: sent.filter((item) => item.json.type !== 'summary').map((item) => item.json),
		notSent: notSent.map((item) => item.json),
		summary,
	};
}

/** The weekly promotion: a marketing template with a coupon */
const promotion = (extra: IDataObject = {}, options: IDataObject = {}) => ({
	operation: 'send',
	campaignName: 'Weekly promotion',
	phone: '={{ $json.phone }}',
	template: 'coupon_code',
	defaultLanguage: 'es',
	variables: {
		mappingMode: 'defineBelow',
		value: { 'body.1': '={{ $json.name }}', 'body.2': '10 %', 'button.0.coupon_code': 'SALUD10' },
	},
	options: { addSummary: true, ...options },
	...extra,
});

/** The monthly newsletter: another marketing template */
const newsletter = (extra: IDataObject = {}, options: IDataObject = {}) => ({
	operation: 'send',
	campaignName: 'Monthly newsletter',
	phone: '={{ $json.phone }}',
	template: 'taxi_discount',
	defaultLanguage: 'es',
	variables: {
		mappingMode: 'defineBelow',
		value: {
			header: 'https://saludcenter.example.com/promo.jpg',
			'body.1': '={{ $json.name }}',
			'body.2': 'fin de mes',
			'button.0.url': 'SALUD10',
		},
	},
	options: { addSummary: true, ...options },
	campaignPeriod: 'month',
	...extra,
});

const window = (values: IDataObject = {}) => ({
	sendWindow: {
		window: { from: '09:00', to: '20:00', recipientTimeZone: '={{ $json.timeZone }}', ...values },
	},
});

const people = (from: number, count: number) =>
	Array.from({ length: count }, (_, k) => ({
		phone: `+549116${String(from + k).padStart(7, '0')}`,
		name: `Ana ${from + k}`,
	}));

describe('Campaign Period', () => {
	it("week: one send per ISO week in the workflow's zone; a rerun in the week sends nothing, the next week sends again", async () => {
		const items = people(1, 3);
		const params = promotion({ campaignPeriod: 'week' });
		clockAt('2026-12-04T13:00:00Z'); // Friday 10:00 in Buenos Aires, week 49
		const first = await run(items, params);
		expect(first.sent).toHaveLength(3);
		expect(first.sent[0]).toMatchObject({
			period: '2026-W49',
			campaignId: expect.stringMatching(/^weekly-promotion-[0-9a-f]{12}@2026-W49$/),
		});
		expect(first.summary).toMatchObject({
			period: '2026-W49',
			periodKind: 'week',
			periodTimeZone: BA,
			periodStartsAt: '2026-11-30T00:00:00.000-03:00',
			nextPeriodStartsAt: '2026-12-07T00:00:00.000-03:00',
			counts: { sent: 3 },
		});

		// Sunday 23:30 in Buenos Aires is already Monday (week 50) in UTC: the workflow's zone decides.
		clockAt('2026-12-07T02:30:00Z');
		const rerun = await run([...items, ...people(4, 1)], params);
		expect(rerun.sent.map((json) => json.phone)).toEqual(['+5491160000004']);
		expect(rerun.notSent.map((json) => [json.reason, json.period])).toEqual(
			Array(3).fill(['already_sent', '2026-W49']),
		);

		clockAt('2026-12-07T03:30:00Z'); // Monday 00:30 in Buenos Aires: week 50
		const next = await run(items, params);
		expect(next.sent).toHaveLength(3);
		expect(next.sent[0].campaignId).toBe(String(first.sent[0].campaignId).replace('W49', 'W50'));
		expect(sandbox.control.ledger.countsByRecipient()).toEqual({
			'5491160000001': 2,
			'5491160000002': 2,
			'5491160000003': 2,
			'5491160000004': 1,
		});
	});

	it("day and week boundaries follow the zone's DST change (Madrid, 29 March 2026), and a custom key by expression", async () => {
		const items = people(20, 1);
		const day = promotion({ campaignPeriod: 'day', campaignName: 'Daily tip' });
		const keys: unknown[] = [];
		for (const at of [
			'2026-03-28T22:30:00Z',
			'2026-03-28T23:30:00Z',
			'2026-03-29T21:30:00Z',
			'2026-03-29T22:30:00Z',
		]) {
			clockAt(at);
			const result = await run(items, day, 'Europe/Madrid');
			keys.push([result.summary?.period, result.summary?.counts]);
		}
		// 23:30 CET / 00:30 CET (new day) / 23:30 CEST / 00:30 CEST next day (new day): four runs, three days.
		expect(keys).toEqual([
			['2026-03-28', expect.objectContaining({ sent: 1 })],
			['2026-03-29', expect.objectContaining({ sent: 1 })],
			['2026-03-29', expect.objectContaining({ sent: 0, skipped: 1 })],
			['2026-03-30', expect.objectContaining({ sent: 1 })],
		]);
		clockAt('2026-03-29T22:30:00Z'); // Monday 00:30 CEST: week 14 (UTC still says Sunday, week 13)
		const week = await run(
			items,
			promotion({ campaignPeriod: 'week', campaignName: 'Weekly tip' }),
			'Europe/Madrid',
		);
		expect(week.summary).toMatchObject({
			period: '2026-W14',
			periodStartsAt: '2026-03-30T00:00:00.000+02:00',
		});

		const quarter = await run(
			items,
			promotion({
				campaignPeriod: 'custom',
				periodKey: '={{ $now.toFormat("yyyy-\'Q\'q") }}',
				campaignName: 'Quarterly',
			}),
			'Europe/Madrid',
		);
		expect(quarter.sent[0]).toMatchObject({
			period: '2026-Q1',
			campaignId: expect.stringMatching(/@2026-Q1$/),
		});
		const bad = await runWorkflow(
			workflow(
				items,
				promotion({ campaignPeriod: 'custom', periodKey: 'Q1 2026' }),
				'Europe/Madrid',
			),
			{ credentials: sandboxCredentials(sandbox.url, { phoneNumberId: BUSINESS }) as never },
		);
		expect(bad.error?.message).toMatch(/^Period Key — "Q1 2026" has characters other than/);
	});

	it('the frequency cap holds across a weekly promotion and a monthly newsletter: at most 1 marketing template per contact in any 7 days', async () => {
		const items = people(40, 2);
		const cap = { frequencyCap: 1, frequencyCapDays: 7 };
		const weekly = promotion({ campaignPeriod: 'week', campaignName: 'Capped promo' }, cap);
		const monthly = newsletter({}, cap);
		const runs: Array<[string, string, number, unknown]> = [];
		const at = async (iso: string, label: string, params: IDataObject) => {
			clockAt(iso);
			const result = await run(items, params);
			runs.push([iso.slice(0, 10), label, result.sent.length, result.summary?.byReason]);
		};
		await at('2026-11-30T13:00:00Z', 'promo W49', weekly);
		await at('2026-12-01T13:00:00Z', 'newsletter 2026-12', monthly);
		await at('2026-12-07T13:05:00Z', 'promo W50', weekly);
		await at('2026-12-08T13:00:00Z', 'newsletter 2026-12', monthly);
		await at('2026-12-15T13:00:00Z', 'newsletter 2026-12', monthly);
		await at('2026-12-16T13:00:00Z', 'promo W51', weekly);
		expect(runs).toEqual([
			['2026-11-30', 'promo W49', 2, {}],
			['2026-12-01', 'newsletter 2026-12', 0, { frequency_cap: 2 }],
			['2026-12-07', 'promo W50', 2, {}],
			['2026-12-08', 'newsletter 2026-12', 0, { frequency_cap: 2 }],
			['2026-12-15', 'newsletter 2026-12', 2, {}],
			['2026-12-16', 'promo W51', 0, { frequency_cap: 2 }],
		]);
		// From the sandbox's own ledger: no contact got two marketing templates within 7 days.
		for (const { waId } of items.map((item) => ({ waId: item.phone.slice(1) }))) {
			const times = sandbox.control.ledger
				.forRecipient(waId)
				.map((entry) => entry.at.getTime())
				.sort((a, b) => a - b);
			expect(times).toHaveLength(3);
			for (let i = 1; i < times.length; i++)
				expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(7 * 86_400_000);
		}
	});

	it('the Report shows several weeks side by side', async () => {
		const items = people(60, 4);
		const params = promotion({ campaignPeriod: 'week', campaignName: 'Reported promo' });
		clockAt('2026-12-01T13:00:00Z');
		const w49 = await run(items.slice(0, 2), params);
		clockAt('2026-12-08T13:00:00Z');
		sandbox.control.notOnWhatsApp(items[3].phone.slice(1));
		const w50 = await run(items, params);
		await sandbox.control.waitForWebhooksIdle(10_000);
		const campaignId = String(w50.sent[0].campaignId);
		const report = await runWorkflow(
			workflow(
				[{}],
				{ operation: 'report', reportCampaignId: campaignId, reportOptions: { comparePeriods: 3 } },
				BA,
			),
			{ credentials: sandboxCredentials(sandbox.url, { phoneNumberId: BUSINESS }) as never },
		);
		expect(report.error).toBeUndefined();
		const rows = report.json(NODE);
		const base = campaignId.replace(/@.*$/, '');
		expect(
			rows.map((row) => [row.campaignId, row.period, row.total, row.sent, row.failed]),
		).toEqual([
			[`${base}@2026-W48`, '2026-W48', 0, 0, 0],
			[`${base}@2026-W49`, '2026-W49', 2, 2, 0],
			[`${base}@2026-W50`, '2026-W50', 4, 3, 1],
		]);
		expect(rows[1]).toMatchObject({ sentPercent: 100, deliveredPercent: 100 });
		expect(w49.sent[0].period).toBe('2026-W49');
		const one = await runWorkflow(
			workflow([{}], { operation: 'report', reportCampaignId: String(w49.sent[0].campaignId) }, BA),
			{ credentials: sandboxCredentials(sandbox.url, { phoneNumberId: BUSINESS }) as never },
		);
		expect(one.json(NODE)[0]).toMatchObject({ step: 'sent', count: 2, period: '2026-W49' });
	});
});

describe("Send Window in the recipient's local time", () => {
	// Friday 4 December 2026, 12:00 UTC.
	const audience = [
		{ phone: '+54 9 11 5555 0001', name: 'Ana (Buenos Aires, from the number)' }, // 09:00 AR
		{ phone: '+34 612 345 678', name: 'Bea (Madrid, from the field)', timeZone: 'Europe/Madrid' }, // 13:00
		{ phone: '+52 55 1234 5678', name: 'Caro (Mexico, no field)' }, // MX has several zones: the workflow's (BA) 09:00
		{
			phone: '+52 55 1234 5679',
			name: 'Dani (Mexico City, from the field)',
			timeZone: 'America/Mexico_City',
		}, // 06:00
		{ phone: '+57 301 234 5678', name: 'Eli (Bogotá, from the number)' }, // 07:00
		{ phone: '+81 90 1234 5678', name: 'Fumi (Tokyo, from the number)' }, // 21:00
		{ phone: '+54 9 11 5555 0007', name: 'Gus (typo)', timeZone: 'Europe/Madird' },
	];

	it('sends only where the window is open; says which zone and why; the rest are not claimed and the next run sends them', async () => {
		const params = promotion({
			campaignPeriod: 'week',
			campaignName: 'Windowed promo',
			...window({ days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] }),
		});
		clockAt('2026-12-04T12:00:00Z');
		const dry = await run(audience, { ...params, dryRun: true });
		expect(dry.summary?.sendWindow).toEqual({
			window: '09:00–20:00 Mon–Sat',
			now: 3,
			later: 3,
			laterWithinWait: 0,
			byZone: {
				// Ana by her number's country, Caro by the workflow's zone (Mexico has several).
				[BA]: { now: 2, later: 0 },
				'Europe/Madrid': { now: 1, later: 0 },
				'America/Mexico_City': { now: 0, later: 1, nextOpensAt: '2026-12-04T09:00:00-06:00' },
				'America/Bogota': { now: 0, later: 1, nextOpensAt: '2026-12-04T09:00:00-05:00' },
				'Asia/Tokyo': { now: 0, later: 1, nextOpensAt: '2026-12-05T09:00:00+09:00' },
			},
		});
		expect(sandbox.control.ledger.count()).toBe(0);

		const first = await run(audience, params);
		expect(
			first.sent.map((json) => [
				json.phone,
				json.timeZone,
				json.timeZoneSource,
				String(json.localTime).slice(0, 16),
			]),
		).toEqual([
			['+5491155550001', BA, 'phone_country', '2026-12-04T09:00'],
			['+34612345678', 'Europe/Madrid', 'item', '2026-12-04T13:00'],
			['+525512345678', BA, 'workflow', '2026-12-04T09:00'],
		]);
		expect(first.sent[2].timeZoneNote).toMatch(/^MX numbers span several time zones/);
		const later = first.notSent.filter((json) => json.reason === 'outside_send_window');
		expect(
			later.map((json) => [json.phone, json.timeZone, json.timeZoneSource, json.sendWindowOpensAt]),
		).toEqual([
			['+525512345679', 'America/Mexico_City', 'item', '2026-12-04T09:00:00-06:00'],
			['+573012345678', 'America/Bogota', 'phone_country', '2026-12-04T09:00:00-05:00'],
			['+819012345678', 'Asia/Tokyo', 'phone_country', '2026-12-05T09:00:00+09:00'],
		]);
		expect(String(later[0].message)).toMatch(
			/it is 06:00 there; the window opens at 2026-12-04T09:00:00-06:00\. Not claimed/,
		);
		expect(first.notSent.find((json) => json.reason === 'invalid')).toMatchObject({
			field: 'timeZone',
			message: expect.stringMatching(/Recipient Time Zone — "Europe\/Madird" is not a time zone/),
		});
		// Not claimed: the store has no record of the recipients left for later.
		const records = await store.getRecipients(String(first.sent[0].campaignId), [
			'525512345679',
			'573012345678',
			'819012345678',
		]);
		expect(records.size).toBe(0);
		expect(first.summary).toMatchObject({
			byReason: { outside_send_window: 3, invalid: 1 },
			sendWindow: { now: 3, later: 3 },
		});

		clockAt('2026-12-04T15:00:00Z'); // the next hourly run: 09:00 in Mexico City, 10:00 in Bogotá, midnight in Tokyo
		const second = await run(audience, params);
		expect(second.sent.map((json) => json.phone)).toEqual(['+525512345679', '+573012345678']);
		expect(second.notSent.map((json) => json.reason)).toEqual([
			'already_sent',
			'already_sent',
			'already_sent',
			'outside_send_window',
			'invalid',
		]);

		clockAt('2026-12-05T00:00:00Z'); // Saturday 09:00 in Tokyo
		const third = await run(audience, params);
		expect(third.sent.map((json) => json.phone)).toEqual(['+819012345678']);
		expect(sandbox.control.ledger.count()).toBe(6);
		expect(sandbox.control.ledger.duplicates()).toEqual([]);
		// Every message went out between 09:00 and 20:00 of its recipient's day.
		for (const entry of sandbox.control.ledger.all()) {
			const row = [...first.sent, ...second.sent, ...third.sent].find(
				(json) => json.waId === entry.waId,
			)!;
			const hour = Number(
				new Intl.DateTimeFormat('en-GB', {
					timeZone: String(row.timeZone),
					hour: '2-digit',
					hourCycle: 'h23',
				}).format(entry.at),
			);
			expect([entry.waId, hour >= 9 && hour < 20]).toEqual([entry.waId, true]);
		}
	});

	it('exempt categories go at any hour; days off close the window', async () => {
		clockAt('2026-12-04T12:00:00Z'); // 21:00 in Tokyo
		const tokyo = [{ phone: '+81 90 1234 0001', name: 'Fumi' }];
		const utility = {
			operation: 'send',
			campaignName: 'Utility at night',
			phone: '={{ $json.phone }}',
			template: 'resume_contact',
			defaultLanguage: 'es',
			variables: {
				mappingMode: 'defineBelow',
				value: { 'body.1': '={{ $json.name }}', 'body.2': 'Sofía' },
			},
		};
		const held = await run(tokyo, { ...utility, ...window() });
		expect(held.notSent[0]).toMatchObject({
			reason: 'outside_send_window',
			sendWindowOpensAt: '2026-12-05T09:00:00+09:00',
		});
		const exempt = await run(tokyo, {
			...utility,
			...window({ exemptCategories: ['AUTHENTICATION', 'UTILITY'] }),
		});
		expect(exempt.sent[0]).toMatchObject({
			status: 'sent',
			timeZone: 'Asia/Tokyo',
			localTime: '2026-12-04T21:00:00+09:00',
		});
		// Friday 13:00 in Madrid, but the window is Monday to Thursday: it opens on Monday.
		const closed = await run(
			[{ phone: '+34 612 000 002', name: 'Bea', timeZone: 'Europe/Madrid' }],
			promotion({
				campaignName: 'Mon-Thu 2',
				...window({ days: ['monday', 'tuesday', 'wednesday', 'thursday'] }),
			}),
		);
		expect(closed.notSent[0]).toMatchObject({
			reason: 'outside_send_window',
			sendWindowOpensAt: '2026-12-07T09:00:00+01:00',
		});
	});

	it("a run that straddles a window's opening waits for it (within the bound) and sends then", async () => {
		clockAt('2026-12-04T14:59:57Z'); // 08:59:57 in Mexico City, 09:59:57 in Bogotá; Tokyo opens in 9 hours
		const items = [
			{ phone: '+52 55 1234 0001', name: 'Dani', timeZone: 'America/Mexico_City' },
			{ phone: '+57 301 234 0002', name: 'Eli' },
			{ phone: '+81 90 1234 0003', name: 'Fumi' },
		];
		const params = promotion({ campaignName: 'Straddle', ...window({ waitMinutes: 1 }) });
		const dry = await run(items, { ...params, dryRun: true });
		expect(dry.summary?.sendWindow).toMatchObject({ now: 1, later: 2, laterWithinWait: 1 });
		clockAt('2026-12-04T14:59:57Z');
		const started = performance.now();
		const result = await run(items, params);
		const waitedMs = performance.now() - started;
		expect(result.sent.map((json) => json.phone)).toEqual(['+525512340001', '+573012340002']);
		expect(result.sent[0].localTime).toMatch(/^2026-12-04T09:00:0\d-06:00$/);
		expect(result.notSent.map((json) => [json.phone, json.reason])).toEqual([
			['+819012340003', 'outside_send_window'],
		]);
		const mexico = sandbox.control.ledger.forRecipient('525512340001')[0];
		expect(mexico.at.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-12-04T15:00:00Z'));
		// Bogotá went at once; the run waited for Mexico City's 09:00 (about 3 s), not for Tokyo's.
		expect(sandbox.control.ledger.forRecipient('573012340002')[0].at.getTime()).toBeLessThan(
			Date.parse('2026-12-04T15:00:00Z'),
		);
		expect(waitedMs).toBeLessThan(30_000);
		expect(result.summary?.sendWindow).toMatchObject({ now: 2, later: 1 });
	});

	it('names the field of a wrong window setting', async () => {
		clockAt('2026-12-04T12:00:00Z');
		const bad = await runWorkflow(
			workflow(
				people(90, 1),
				promotion({ campaignName: 'Bad window', ...window({ from: '9am' }) }),
				BA,
			),
			{ credentials: sandboxCredentials(sandbox.url, { phoneNumberId: BUSINESS }) as never },
		);
		expect(bad.error?.message).toMatch(
			/^Send Window › From — "9am" is not a time of day: use HH:mm/,
		);
		expect(sandbox.control.ledger.count()).toBe(0);
	});
});
