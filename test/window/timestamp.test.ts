import { DateTime } from 'luxon';

import { parseTimestamp } from '../../lib/window/timestamp';

const now = Date.UTC(2026, 5, 10, 12, 0, 0);
const earlier = Date.UTC(2026, 5, 9, 14, 30, 0);

describe('parseTimestamp', () => {
	it.each([
		['Unix seconds (number)', earlier / 1000, 'unix-seconds'],
		['Unix seconds (string)', String(earlier / 1000), 'unix-seconds'],
		['Unix seconds with fraction', `${earlier / 1000}.000`, 'unix-seconds'],
		['Unix milliseconds (number)', earlier, 'unix-milliseconds'],
		['Unix milliseconds (string)', String(earlier), 'unix-milliseconds'],
		['ISO with Z', '2026-06-09T14:30:00Z', 'iso'],
		['ISO with offset', '2026-06-09T11:30:00-03:00', 'iso'],
		['ISO with milliseconds', '2026-06-09T14:30:00.000+00:00', 'iso'],
		['RFC 2822', 'Tue, 09 Jun 2026 14:30:00 +0000', 'rfc2822'],
		['JS Date', new Date(earlier), 'date'],
		['luxon DateTime', DateTime.fromMillis(earlier, { zone: 'Asia/Tokyo' }), 'luxon'],
	])('%s', (_label, value, format) => {
		const result = parseTimestamp(value, { now });
		expect(result).toEqual({ ok: true, millis: earlier, format });
	});

	it('reads text without an offset in the given zone and says so', () => {
		expect(
			parseTimestamp('2026-06-09 11:30:00', { now, zone: 'America/Argentina/Buenos_Aires' }),
		).toEqual({
			ok: true,
			millis: earlier,
			format: 'sql',
			assumedZone: 'America/Argentina/Buenos_Aires',
		});
		expect(parseTimestamp('2026-06-09T14:30:00', { now })).toEqual({
			ok: true,
			millis: earlier,
			format: 'iso',
			assumedZone: 'UTC',
		});
		expect(parseTimestamp('2026-06-09', { now })).toMatchObject({
			ok: true,
			millis: Date.UTC(2026, 5, 9),
			assumedZone: 'UTC',
		});
		expect(parseTimestamp('20260609', { now })).toMatchObject({
			ok: true,
			millis: Date.UTC(2026, 5, 9),
			format: 'iso',
		});
	});

	it('rejects future times, unless within the clock skew', () => {
		const future = parseTimestamp(now + 3600_000, { now });
		expect(future).toMatchObject({ ok: false, empty: false });
		expect(!future.ok && future.reason).toMatch(
			/2026-06-10T13:00:00.000Z \(read as unix-milliseconds\) is in the future: check the field's unit/,
		);
		expect(parseTimestamp(now + 30_000, { now }).ok).toBe(true);
		expect(parseTimestamp(now + 30_000, { now, maxFutureSkewSeconds: 0 }).ok).toBe(false);
		// Milliseconds mistaken for microseconds, or a unit mix-up, end up here too.
		expect(parseTimestamp(earlier * 1000, { now })).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/microseconds/),
		});
	});

	it('tells empty apart from invalid', () => {
		for (const value of [undefined, null, '', '   ', 0, '0'])
			expect(parseTimestamp(value, { now })).toMatchObject({ ok: false, empty: true });
		for (const value of [
			'yesterday',
			'not a date',
			{},
			[],
			true,
			-5,
			Number.POSITIVE_INFINITY,
			new Date('x'),
			DateTime.invalid('test'),
		]) {
			expect(parseTimestamp(value, { now })).toMatchObject({ ok: false, empty: false });
		}
		expect(parseTimestamp('2026-06-09', { now, zone: 'Mars/Olympus' })).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/time zone "Mars\/Olympus" is unknown/),
		});
	});
});
