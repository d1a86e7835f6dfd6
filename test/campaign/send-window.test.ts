import { officialSingleZoneCountries, singleZoneCountries } from '../../lib/campaign/country-zones';
import {
	parseSendWindow,
	resolveRecipientZone,
	SendWindowCounter,
	windowState,
} from '../../lib/campaign/send-window';

const window = parseSendWindow({
	from: '09:00',
	to: '20:00',
	days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
});

describe("send window in the recipient's local time", () => {
	test('open, closed until the next opening, and closed on a day off (Sunday → Monday 09:00)', () => {
		// Friday 4 December 2026, 12:00 UTC: 09:00 in Buenos Aires, 13:00 in Madrid, 06:00 in Mexico City.
		const at = Date.UTC(2026, 11, 4, 12);
		expect(windowState(window, 'America/Argentina/Buenos_Aires', at)).toEqual({
			open: true,
			localTime: '2026-12-04T09:00:00-03:00',
		});
		expect(windowState(window, 'Europe/Madrid', at).open).toBe(true);
		const mexico = windowState(window, 'America/Mexico_City', at);
		expect(mexico).toEqual({
			open: false,
			opensAt: Date.UTC(2026, 11, 4, 15),
			localTime: '2026-12-04T06:00:00-06:00',
		});
		// 20:00 is closed (exclusive); Saturday 21:00 in Tokyo opens Monday 09:00 (Sunday is off).
		expect(windowState(window, 'UTC', Date.UTC(2026, 11, 4, 20)).opensAt).toBe(
			Date.UTC(2026, 11, 5, 9),
		);
		expect(windowState(window, 'Asia/Tokyo', Date.UTC(2026, 11, 5, 12)).opensAt).toBe(
			Date.UTC(2026, 11, 7, 0),
		);
	});

	test('DST: 09:00 in Madrid is 08:00 UTC the day before the spring change and 07:00 UTC on that day', () => {
		expect(windowState(window, 'Europe/Madrid', Date.UTC(2026, 2, 28, 7, 30))).toMatchObject({
			open: false,
			opensAt: Date.UTC(2026, 2, 28, 8),
		});
		const sunday = parseSendWindow({ from: '09:00', to: '20:00', days: ['sunday'] });
		expect(windowState(sunday, 'Europe/Madrid', Date.UTC(2026, 2, 29, 7, 30))).toMatchObject({
			open: true,
			localTime: '2026-03-29T09:30:00+02:00',
		});
		// An opening inside the skipped hour (02:30 does not exist that night) moves forward by the gap: 03:30 local.
		const night = parseSendWindow({ from: '02:30', to: '05:00', days: ['sunday'] });
		expect(windowState(night, 'Europe/Madrid', Date.UTC(2026, 2, 28, 23)).opensAt).toBe(
			Date.UTC(2026, 2, 29, 1, 30),
		);
	});

	test('settings are checked with the field named', () => {
		expect(() => parseSendWindow({ from: '9', to: '20:00' })).toThrow(
			/^Send Window › From — "9" is not a time of day/,
		);
		expect(() => parseSendWindow({ from: '20:00', to: '09:00' })).toThrow(
			/^Send Window › To — .*across midnight/,
		);
		expect(() => parseSendWindow({ from: '09:00', to: '20:00', days: ['someday'] })).toThrow(
			/Days — "someday"/,
		);
		expect(() => parseSendWindow({ from: '09:00', to: '20:00', waitMinutes: 61 })).toThrow(
			/0 to 60/,
		);
		expect(parseSendWindow({ from: '08:30', to: '24:00' })).toMatchObject({
			fromMinutes: 510,
			toMinutes: 1440,
			label: '08:30–24:00 every day',
		});
		expect(window.label).toBe('09:00–20:00 Mon–Sat');
	});

	test("zone: the item's field, else a single-zone country, else the workflow's (saying why)", () => {
		expect(resolveRecipientZone('Europe/Madrid', 'AR', 'UTC')).toEqual({
			ok: true,
			zone: { zone: 'Europe/Madrid', source: 'item' },
		});
		expect(resolveRecipientZone('', 'AR', 'UTC')).toEqual({
			ok: true,
			zone: { zone: 'America/Argentina/Buenos_Aires', source: 'phone_country' },
		});
		expect(resolveRecipientZone(undefined, 'MX', 'America/Argentina/Buenos_Aires')).toEqual({
			ok: true,
			zone: {
				zone: 'America/Argentina/Buenos_Aires',
				source: 'workflow',
				note: expect.stringMatching(/^MX numbers span several time zones/),
			},
		});
		expect(resolveRecipientZone('Europe/Madird', 'ES', 'UTC')).toEqual({
			ok: false,
			message: expect.stringMatching(/Recipient Time Zone — "Europe\/Madird" is not a time zone/),
		});
		expect(resolveRecipientZone('UTC-3', undefined, 'UTC')).toMatchObject({
			ok: true,
			zone: { zone: 'UTC-3', source: 'item' },
		});
	});

	test("the country table holds only countries whose zones share one offset (ICU's zones per region, 2026–2027)", () => {
		const offsets = new Map<string, Intl.DateTimeFormat>();
		const offset = (zone: string, at: number) => {
			let format = offsets.get(zone);
			if (!format)
				offsets.set(
					zone,
					(format = new Intl.DateTimeFormat('en-US', {
						timeZone: zone,
						timeZoneName: 'longOffset',
					})),
				);
			return format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value;
		};
		const zonesOf = (country: string): string[] =>
			(
				new Intl.Locale(`und-${country}`) as unknown as { getTimeZones?: () => string[] }
			).getTimeZones?.() ?? [];
		// Twice a day for two years: zones of one country that differ do so for weeks (a DST rule) or always.
		const samples = Array.from(
			{ length: 2 * 365 * 2 },
			(_, i) => Date.UTC(2026, 0, 1, 5) + i * 12 * 3_600_000,
		);
		// The oracle itself works on this runtime (else every country would be skipped).
		expect(zonesOf('ES')).toEqual(expect.arrayContaining(['Europe/Madrid', 'Atlantic/Canary']));
		const wrong: string[] = [];
		for (const [country, zone] of Object.entries(singleZoneCountries)) {
			const zones = zonesOf(country);
			if (zones.length === 0) continue;
			if (officialSingleZoneCountries.includes(country)) continue;
			if (samples.some((at) => zones.some((other) => offset(other, at) !== offset(zone, at))))
				wrong.push(country);
		}
		expect(wrong).toEqual([]);
		// The multi-zone countries the issue names are not guessed from the phone number; Argentina is.
		for (const country of ['US', 'CA', 'MX', 'BR', 'ES', 'RU', 'AU'])
			expect([country, singleZoneCountries[country]]).toEqual([country, undefined]);
		expect(singleZoneCountries.AR).toBe('America/Argentina/Buenos_Aires');
		expect(Object.keys(singleZoneCountries).length).toBeGreaterThan(200);
	});

	test('the tally counts now and later per zone with the earliest opening', () => {
		const counter = new SendWindowCounter(window);
		counter.add('Europe/Madrid', undefined);
		counter.add('America/Mexico_City', Date.UTC(2026, 11, 4, 16));
		counter.add('America/Mexico_City', Date.UTC(2026, 11, 4, 15));
		expect(counter.result()).toEqual({
			window: '09:00–20:00 Mon–Sat',
			now: 1,
			later: 2,
			byZone: {
				'Europe/Madrid': { now: 1, later: 0 },
				'America/Mexico_City': { now: 0, later: 2, nextOpensAt: '2026-12-04T09:00:00-06:00' },
			},
		});
	});
});
