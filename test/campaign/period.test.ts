import {
	checkPeriodKey,
	kindOfKey,
	periodCampaignId,
	periodKey,
	periodsEndingWith,
	resolvePeriod,
	splitPeriodCampaignId,
} from '../../lib/campaign/period';

const BA = 'America/Argentina/Buenos_Aires';

describe('campaign period keys', () => {
	test('day, ISO week and month in the given zone, not in UTC', () => {
		// 2026-12-07 01:30 UTC is still Sunday 6 December 22:30 in Buenos Aires (UTC-3).
		const at = Date.UTC(2026, 11, 7, 1, 30);
		expect([
			periodKey('day', at, BA),
			periodKey('week', at, BA),
			periodKey('month', at, BA),
		]).toEqual(['2026-12-06', '2026-W49', '2026-12']);
		expect([periodKey('day', at, 'UTC'), periodKey('week', at, 'UTC')]).toEqual([
			'2026-12-07',
			'2026-W50',
		]);
	});

	test('ISO week-numbering year: 29 Dec 2025 is in 2026-W01, 1 Jan 2027 in 2026-W53', () => {
		expect(periodKey('week', Date.UTC(2025, 11, 29, 12), 'UTC')).toBe('2026-W01');
		expect(periodKey('week', Date.UTC(2027, 0, 1, 12), 'UTC')).toBe('2026-W53');
	});

	test('bounds follow DST: the Madrid week after the spring change starts at 22:00 UTC on Sunday', () => {
		const period = resolvePeriod('week', {
			at: Date.UTC(2026, 2, 29, 22, 30),
			zone: 'Europe/Madrid',
		});
		expect(period).toMatchObject({
			key: '2026-W14',
			startsAt: '2026-03-30T00:00:00.000+02:00',
			nextStartsAt: '2026-04-06T00:00:00.000+02:00',
		});
		const day = resolvePeriod('day', { at: Date.UTC(2026, 2, 29, 12), zone: 'Europe/Madrid' });
		// The 23-hour day.
		expect(Date.parse(day.nextStartsAt!) - Date.parse(day.startsAt!)).toBe(23 * 3_600_000);
	});

	test('custom keys are checked, and the period joins the campaign ID', () => {
		expect(resolvePeriod('custom', { at: 0, zone: 'UTC', key: ' 2026-Q4 ' })).toEqual({
			kind: 'custom',
			key: '2026-Q4',
		});
		expect(checkPeriodKey('')).toMatch(/empty/);
		expect(checkPeriodKey('Q4 2026')).toMatch(/characters other than/);
		expect(checkPeriodKey('2026-13')).toMatch(/not one/);
		expect(() => resolvePeriod('custom', { at: 0, zone: 'UTC', key: 'a/b' })).toThrow(/characters/);
		expect(periodCampaignId('promo-3f9a0c1b2d4e', '2026-W49')).toBe('promo-3f9a0c1b2d4e@2026-W49');
		expect(() => periodCampaignId('x'.repeat(115), '2026-W49')).toThrow(/at most 120/);
		expect(splitPeriodCampaignId('promo@x@2026-W49')).toEqual({
			campaignId: 'promo@x',
			period: '2026-W49',
		});
		expect(splitPeriodCampaignId('promo-3f9a0c1b2d4e')).toEqual({
			campaignId: 'promo-3f9a0c1b2d4e',
		});
	});

	test('the periods up to a key, across a year boundary', () => {
		expect(periodsEndingWith('2026-W02', 4)).toEqual([
			'2025-W51',
			'2025-W52',
			'2026-W01',
			'2026-W02',
		]);
		expect(periodsEndingWith('2026-01', 3)).toEqual(['2025-11', '2025-12', '2026-01']);
		expect(periodsEndingWith('2026-03-01', 2)).toEqual(['2026-02-28', '2026-03-01']);
		expect(periodsEndingWith('2026-Q4', 3)).toEqual(['2026-Q4']);
		expect([
			kindOfKey('2026-W49'),
			kindOfKey('2026-12'),
			kindOfKey('2026-12-02'),
			kindOfKey('spring'),
		]).toEqual(['week', 'month', 'day', 'custom']);
	});
});
