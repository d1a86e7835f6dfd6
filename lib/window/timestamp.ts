/**
 * Reads a "last message" time the way CRMs and n8n expressions hand it over, and says which format it took it
 * for, so a user can see that "1718000000" was read as Unix seconds and not as milliseconds.
 *
 * Accepted: luxon DateTime (also another copy of luxon, as n8n's expressions return), JS Date, numbers and
 * numeric strings as Unix seconds or milliseconds (told apart by magnitude: below 10^11 is seconds, i.e.
 * until the year 5138; up to 10^14 milliseconds), ISO 8601 (extended or basic), SQL ("2024-06-10 14:00:00"),
 * RFC 2822 and HTTP dates. A string without an offset is read in `zone` (default UTC) and the result says so.
 * A time later than `now` (beyond a small clock skew) is rejected: a future "last inbound" is a unit or
 * time-zone mistake, and trusting it would open the window wrongly.
 */
import { DateTime, Info } from 'luxon';

export type TimestampFormat =
	| 'luxon'
	| 'date'
	| 'unix-seconds'
	| 'unix-milliseconds'
	| 'iso'
	| 'sql'
	| 'rfc2822'
	| 'http';

export type TimestampResult =
	| {
			ok: true;
			millis: number;
			format: TimestampFormat;
			/** Set when the text had no offset and was read in this zone */
			assumedZone?: string;
	  }
	| {
			ok: false;
			/** true when there was no value at all (null, undefined, '', 0): callers decide whether that is an error */
			empty: boolean;
			reason: string;
	  };

/** How CRM timestamps are read: the reference now, the zone of times without an offset, the future skew. */
export interface TimestampOptions {
	/** Reference "now" in epoch milliseconds (default Date.now()) */
	now?: number;
	/** Zone for strings without an offset, IANA name (default UTC) */
	zone?: string;
	/** Tolerated clock difference for times slightly in the future (default 60 s) */
	maxFutureSkewSeconds?: number;
}

const SECONDS_LIMIT = 1e11;
const MILLIS_LIMIT = 1e14;
const NUMERIC = /^[+-]?\d+(\.\d+)?$/;

function empty(reason: string): TimestampResult {
	return { ok: false, empty: true, reason };
}

function invalid(reason: string): TimestampResult {
	return { ok: false, empty: false, reason };
}

function fromEpoch(value: number, shown: string): TimestampResult {
	if (!Number.isFinite(value)) return invalid(`${shown} is not a finite number`);
	if (value === 0) return empty(`${shown} is 0 (the usual "never" placeholder)`);
	if (value < 0) return invalid(`${shown} is negative: a last-message time must be after 1970`);
	const abs = Math.abs(value);
	if (abs < SECONDS_LIMIT)
		return { ok: true, millis: Math.round(value * 1000), format: 'unix-seconds' };
	if (abs < MILLIS_LIMIT)
		return { ok: true, millis: Math.round(value), format: 'unix-milliseconds' };
	return invalid(
		`${shown} is too large for Unix seconds or milliseconds (microseconds or nanoseconds?): divide it to milliseconds`,
	);
}

function isDateObject(value: unknown): value is Date {
	return value instanceof Date || Object.prototype.toString.call(value) === '[object Date]';
}

type TextFormat = 'iso' | 'sql' | 'rfc2822' | 'http';
const TEXT_FORMATS: readonly TextFormat[] = ['iso', 'sql', 'rfc2822', 'http'];
const TEXT_PARSERS: Record<TextFormat, (text: string, zone: string) => DateTime> = {
	iso: (text, zone) => DateTime.fromISO(text, { zone }),
	sql: (text, zone) => DateTime.fromSQL(text, { zone }),
	rfc2822: (text, zone) => DateTime.fromRFC2822(text, { zone }),
	http: (text, zone) => DateTime.fromHTTP(text, { zone }),
};

function parseText(text: string, zone: string): TimestampResult {
	if (NUMERIC.test(text) && Number(text) === 0)
		return empty(`"${text}" is 0 (the usual "never" placeholder)`);
	// 8 digits and fewer are dates in ISO basic form (20240610), longer digit runs are epoch times.
	if (NUMERIC.test(text) && !/^\d{1,8}$/.test(text)) return fromEpoch(Number(text), `"${text}"`);
	for (const format of TEXT_FORMATS) {
		const parsed = TEXT_PARSERS[format](text, zone);
		if (!parsed.isValid) continue;
		// Read in two zones 10 h apart: the same instant means the text carried its own offset.
		const hasOffset =
			TEXT_PARSERS[format](text, 'Etc/GMT-5').toMillis() ===
			TEXT_PARSERS[format](text, 'Etc/GMT+5').toMillis();
		return hasOffset
			? { ok: true, millis: parsed.toMillis(), format }
			: { ok: true, millis: parsed.toMillis(), format, assumedZone: zone };
	}
	return invalid(
		`"${text.length > 60 ? `${text.slice(0, 60)}…` : text}" is not a date: use ISO 8601 (2024-06-10T14:00:00Z), Unix seconds or milliseconds`,
	);
}

/** Reads one timestamp; never throws. */
export function parseTimestamp(value: unknown, options: TimestampOptions = {}): TimestampResult {
	const zone = options.zone || 'UTC';
	if (!Info.isValidIANAZone(zone) && zone !== 'UTC')
		return invalid(`time zone "${zone}" is unknown: use an IANA name such as Europe/Madrid`);
	let result: TimestampResult;
	if (value === null || value === undefined) return empty('is empty');
	if (DateTime.isDateTime(value)) {
		const dt = value as DateTime;
		result = dt.isValid
			? { ok: true, millis: dt.toMillis(), format: 'luxon' }
			: invalid(`is an invalid luxon DateTime (${dt.invalidReason ?? 'unknown reason'})`);
	} else if (isDateObject(value)) {
		const millis = value.getTime();
		result = Number.isNaN(millis)
			? invalid('is an invalid Date')
			: { ok: true, millis, format: 'date' };
	} else if (typeof value === 'number') {
		result = fromEpoch(value, String(value));
	} else if (typeof value === 'bigint') {
		result = fromEpoch(Number(value), String(value));
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return empty('is empty');
		result = parseText(text, zone);
	} else {
		return invalid(
			`is a ${Array.isArray(value) ? 'list' : typeof value}, not a date: give an ISO string, Unix seconds or milliseconds`,
		);
	}
	if (!result.ok) return result;
	const now = options.now ?? Date.now();
	const skew = (options.maxFutureSkewSeconds ?? 60) * 1000;
	if (result.millis > now + skew) {
		return invalid(
			`${new Date(result.millis).toISOString()} (read as ${result.format}${result.assumedZone ? ` in ${result.assumedZone}` : ''}) is in the future: check the field's unit (seconds vs milliseconds) or time zone`,
		);
	}
	return result;
}
