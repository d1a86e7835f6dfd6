/**
 * lib/campaign against the sandbox over loopback with a real SQLite store: what is sent, what is skipped and
 * why, what a rerun does, pausing, and what the store holds afterwards.
 */
import type { BulkCampaignOptions, RecipientRow } from '../../lib/campaign';
import {
	arPhone,
	arWaId,
	PHONE_NUMBER_ID,
	resumeCampaign,
	resumeRow,
	startRig,
	translationsOf,
	type CampaignRig,
} from './helpers';

let rig: CampaignRig;

beforeEach(async () => {
	rig = await startRig({ throughputMps: 1000 });
});

afterEach(async () => {
	await rig.close();
});

const campaign = (rows: RecipientRow[], overrides: Partial<BulkCampaignOptions> = {}) =>
	resumeCampaign(rig, rows, { requestTimeoutMs: 5_000, ...overrides });

test('sends each recipient once, records the results, and a rerun sends nothing new', async () => {
	const rows = Array.from({ length: 60 }, (_, i) =>
		resumeRow(i, { language: i % 2 ? 'en_US' : 'es_AR', tags: 'vip, oct' }),
	);
	const first = await campaign(rows);
	expect(first.summary.counts).toEqual({
		sent: 60,
		failed: 0,
		skipped: 0,
		uncertain: 0,
		paused: 0,
	});
	expect(first.summary.stoppedBy).toBe('completed');
	expect(first.summary.rateCap).toBe(1000);
	expect(first.outcomes[1]).toMatchObject({
		status: 'sent',
		waId: arWaId(1),
		language: 'en',
		tags: ['vip', 'oct'],
	});
	expect(first.outcomes[0].language).toBe('es');
	expect(rig.sandbox.control.ledger.count()).toBe(60);
	const record = await rig.store.getRecipient('test-campaign', arWaId(3));
	expect(record).toMatchObject({ state: 'sent', wamid: first.outcomes[3].wamid });
	// The callback data lets the trigger's status webhooks find the recipient.
	expect(rig.sandbox.control.ledger.forRecipient(arWaId(3))[0].bizOpaqueCallbackData).toBe(
		`v1;c=test-campaign;r=${arWaId(3)}`,
	);

	const second = await campaign(rows);
	expect(rig.sandbox.control.ledger.count()).toBe(60);
	expect(second.summary.counts.skipped).toBe(60);
	expect(second.outcomes[5]).toMatchObject({ status: 'skipped', reason: 'already_sent' });
	expect(rig.sandbox.control.ledger.duplicates()).toEqual([]);
});

test('skips invalid, duplicate, opted-out, frequency-capped, US and 131049-held recipients with reasons', async () => {
	const marketing = {
		name: 'coupon_code',
		translations: translationsOf(rig.templates, 'coupon_code'),
		defaultLanguage: 'es',
	};
	const row = (phone: string): RecipientRow => ({
		phone,
		values: { 'body.1': 'Ana', 'body.2': '10 %', 'button.0.coupon_code': 'SALUD10' },
	});
	await rig.store.setOptState(PHONE_NUMBER_ID, arWaId(2), {
		optedOut: true,
		at: Date.now() - 1000,
		reason: 'keyword',
		detail: 'STOP',
	});
	await rig.store.markMarketingHold(PHONE_NUMBER_ID, arWaId(3), Date.now() + 3_600_000);
	await rig.store.recordMarketingSend(
		PHONE_NUMBER_ID,
		arWaId(4),
		'earlier-campaign:1',
		Date.now() - 86_400_000,
	);
	const rows: RecipientRow[] = [
		row(arPhone(1)),
		row(arPhone(2)),
		row(arPhone(3)),
		row(arPhone(4)),
		row('+1 212 736 0101'),
		row('12345'),
		row(arPhone(1).replace('+549', '+54 9 ')),
		{ phone: arPhone(6), values: { 'body.1': 'Ana' } },
		row(arPhone(7)),
	];
	const { outcomes, summary } = await campaign(rows, {
		campaignId: 'skips',
		template: marketing,
		policy: { frequencyCap: { max: 1, periodMs: 7 * 86_400_000 } },
	});
	const by = (i: number) => ({ status: outcomes[i].status, reason: outcomes[i].reason });
	expect(by(0)).toEqual({ status: 'sent', reason: undefined });
	expect(by(1)).toEqual({ status: 'skipped', reason: 'opted_out' });
	expect(by(2)).toEqual({ status: 'skipped', reason: 'marketing_hold_131049' });
	expect(outcomes[2].code).toBe(131049);
	expect(by(3)).toEqual({ status: 'skipped', reason: 'frequency_cap' });
	expect(by(4)).toEqual({ status: 'skipped', reason: 'us_marketing' });
	expect(by(5)).toEqual({ status: 'skipped', reason: 'invalid' });
	expect(outcomes[5]).toMatchObject({ field: 'phone', phone: '12345' });
	expect(by(6)).toEqual({ status: 'skipped', reason: 'duplicate' });
	expect(outcomes[6].message).toContain('item 0');
	expect(by(7)).toEqual({ status: 'skipped', reason: 'invalid' });
	expect(outcomes[7].field).toBe('body.2');
	expect(by(8)).toEqual({ status: 'sent', reason: undefined });
	expect(summary.counts).toMatchObject({ sent: 2, skipped: 7 });
	expect(summary.byReason).toMatchObject({ opted_out: 1, invalid: 2, duplicate: 1 });
	expect(rig.sandbox.control.ledger.count()).toBe(2);
	// Marketing sends count towards the cap of later campaigns.
	const counts = await rig.store.countMarketingSince(
		PHONE_NUMBER_ID,
		[arWaId(1), arWaId(7)],
		Date.now() - 60_000,
	);
	expect([...counts.values()]).toEqual([1, 1]);
});

test("keepOutcomes 'notSent' (Summary Only, Not Sent + Summary) holds only the rows not sent, with the same summary", async () => {
	const rows = Array.from({ length: 30 }, (_, i) => resumeRow(i));
	rows[5] = { ...rows[5], phone: '12345' };
	rows[9] = { ...rows[9], phone: 'not a phone' };
	rows[12] = resumeRow(0);
	const all = await campaign(rows, { campaignId: 'keep-all' });
	const notSent = await campaign(rows, { campaignId: 'keep-not-sent', keepOutcomes: 'notSent' });
	const timing = ['campaignId', 'durationMs', 'sendingMs', 'achievedRate'];
	const rest = (summary: object) =>
		Object.fromEntries(Object.entries(summary).filter(([key]) => !timing.includes(key)));
	expect(rest(notSent.summary)).toEqual(rest(all.summary));
	expect(notSent.summary.counts).toMatchObject({ sent: 27, skipped: 3 });
	expect(notSent.outcomes.map((outcome) => [outcome.index, outcome.reason])).toEqual([
		[5, 'invalid'],
		[9, 'invalid'],
		[12, 'duplicate'],
	]);
	expect(notSent.outcomes).toEqual(all.outcomes.filter((outcome) => outcome.status !== 'sent'));
	expect(rig.sandbox.control.ledger.count()).toBe(54);

	// Stopped midway: the rows never reached are reported as paused, the sent ones only counted.
	const controller = new AbortController();
	let sent = 0;
	const stopped = await campaign(
		Array.from({ length: 200 }, (_, i) => resumeRow(100 + i)),
		{
			campaignId: 'keep-not-sent-stopped',
			keepOutcomes: 'notSent',
			rateCap: 50,
			signal: controller.signal,
			onOutcome: (outcome) => {
				if (outcome.status === 'sent' && ++sent === 10) controller.abort();
			},
		},
	);
	const { counts } = stopped.summary;
	expect(counts.sent).toBeGreaterThanOrEqual(10);
	expect(counts.sent + counts.paused + counts.uncertain).toBe(200);
	expect(stopped.outcomes).toHaveLength(200 - counts.sent);
	expect(stopped.outcomes.every((outcome) => outcome.status !== 'sent')).toBe(true);
	expect(stopped.outcomes.filter((outcome) => outcome.status === 'paused')).toHaveLength(
		counts.paused,
	);
});

test('pauses when the template is paused (132015): the rest is not sent, and resumes on rerun', async () => {
	const rows = Array.from({ length: 40 }, (_, i) => resumeRow(i));
	// The number's cap is 20 msg/s: the template is paused after the first sends, long before the end.
	let flipped = false;
	const paused = await campaign(rows, {
		rateCap: 20,
		onOutcome: (outcome) => {
			if (!flipped && outcome.status === 'sent') {
				flipped = true;
				rig.sandbox.control.setTemplateStatus('resume_contact', 'es', 'PAUSED');
			}
		},
	});
	expect(paused.summary.stoppedBy).toBe('paused');
	expect(paused.summary.counts.paused).toBeGreaterThan(20);
	expect(paused.summary.counts.sent + paused.summary.counts.paused).toBe(40);
	const pausedOne = paused.outcomes.find(
		(outcome) => outcome.status === 'paused' && outcome.code === 132015,
	);
	expect(pausedOne?.message).toMatch(/resumable/);
	expect(rig.sandbox.control.ledger.count()).toBe(paused.summary.counts.sent);

	rig.sandbox.control.setTemplateStatus('resume_contact', 'es', 'APPROVED');
	const resumed = await campaign(rows);
	expect(resumed.summary.counts.sent).toBe(paused.summary.counts.paused);
	expect(rig.sandbox.control.ledger.count()).toBe(40);
	expect(rig.sandbox.control.ledger.duplicates()).toEqual([]);
});

test("pauses before sending when the number's quality rating is RED", async () => {
	rig.sandbox.control.configure({ qualityRating: 'RED' });
	const { summary, outcomes } = await campaign(Array.from({ length: 5 }, (_, i) => resumeRow(i)));
	expect(summary.stoppedBy).toBe('paused');
	expect(summary.stopDetail).toMatch(/quality rating is RED/);
	expect(outcomes.every((outcome) => outcome.status === 'paused')).toBe(true);
	expect(rig.sandbox.control.ledger.count()).toBe(0);
});

describe('queue mode: Redis store and one Redis token bucket per number', () => {
	const redisOptions = () => ({
		host: process.env.TEST_REDIS_HOST ?? '127.0.0.1',
		port: Number(process.env.TEST_REDIS_PORT),
		password: process.env.TEST_REDIS_PASSWORD,
	});

	test('two workers running the same campaign at once send each recipient exactly once', async () => {
		const prefix = `campaign-test:${Date.now()}:`;
		const { RedisStore } = await import('../../lib/store/redis');
		const { RedisRateLimiter } = await import('../../lib/delivery');
		const IORedis = (await import('ioredis')).default;
		const stores = [
			await RedisStore.connect({ ...redisOptions(), keyPrefix: prefix }),
			await RedisStore.connect({ ...redisOptions(), keyPrefix: prefix }),
		];
		const redis = new IORedis(redisOptions());
		try {
			const rows = Array.from({ length: 120 }, (_, i) => resumeRow(1000 + i));
			// Worker B reads the rows in another order, as a second execution of a split input might.
			const reversed = [...rows].reverse();
			const worker = (store: (typeof stores)[number], list: RecipientRow[], owner: string) =>
				campaign(list, {
					store,
					owner,
					campaignId: 'queue-mode',
					limiter: (cap) =>
						new RedisRateLimiter({ redis, key: PHONE_NUMBER_ID, prefix, ratePerSecond: cap }),
					rateCap: 200,
				});
			const [a, b] = await Promise.all([
				worker(stores[0], rows, 'worker-a'),
				worker(stores[1], reversed, 'worker-b'),
			]);
			expect(a.summary.counts.sent + b.summary.counts.sent).toBe(120);
			expect(a.summary.counts.failed + b.summary.counts.failed).toBe(0);
			expect(rig.sandbox.control.ledger.count()).toBe(120);
			expect(rig.sandbox.control.ledger.duplicates()).toEqual([]);
			// The other worker's copy of each recipient: already sent, being sent, or sent without an answer yet.
			const notSent = [...a.outcomes, ...b.outcomes].filter((outcome) => outcome.status !== 'sent');
			expect(notSent).toHaveLength(120);
			expect(
				notSent.filter(
					(outcome) =>
						!['already_sent', 'in_progress', 'taken_over', 'awaiting_status'].includes(
							outcome.reason as string,
						),
				),
			).toEqual([]);
		} finally {
			await Promise.all(stores.map((store) => store.close()));
			redis.disconnect();
		}
	});
});
