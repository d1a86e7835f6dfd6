/**
 * Campaign Period: a recurring campaign (a weekly promotion, a monthly newsletter) is one campaign per period.
 * The period key is appended to the campaign ID (`<id>@<period>`), so a rerun in the same period continues that
 * period's campaign (sends only what is left) and the first run of the next period starts a new one.
 *
 * Keys are computed in the workflow's time zone at the start of the run (a run that straddles midnight stays
 * in the period it started in):
 * - day   `2026-12-02`
 * - week  `2026-W49`  ISO 8601 week: Monday to Sunday, week-numbering year (2025-12-29 is in `2026-W01`)
 * - month `2026-12`
 * - custom: any key the user gives by expression (`2026-Q4`, `black-friday-2026`), letters, digits, `.`, `_`, `-`.
 */
import { DateTime } from 'luxon';

import { CAMPAIGN_ID_MAX_LENGTH } from './campaign-id';

export type PeriodKind = 'none' | 'day' | 'week' | 'month' | 'custom';

/** Separates the campaign ID of a recurring campaign from its period key. */
export const PERIOD_SEPARATOR = '@';

export const PERIOD_KEY_MAX_LENGTH = 40;

const FORMATS = { day: 'yyyy-MM-dd', week: "kkkk-'W'WW", month: 'yyyy-MM' } as const;
const PATTERNS: Record<keyof typeof FORMATS, RegExp> = {
	day: /^\d{4}-\d{2}-\d{2}$/,
	week: /^\d{4}-W\d{2}$/,
	month: /^\d{4}-\d{2}$/,
};

/**
 * The period a campaign run belongs to: its key and, for day / week / month, when it started and when the next
 * starts.
 */
export interface CampaignPeriod {
	kind: Exclude<PeriodKind, 'none'>;
	key: string;
	/** ISO time with the zone's offset; day / week / month only */
	startsAt?: string;
	nextStartsAt?: string;
	zone?: string;
}

/** Checks a zone name luxon understands (IANA, or a fixed offset like `UTC-3`); returns the problem or undefined. */
export function checkZone(zone: string): string | undefined {
	if (zone.trim() === '') return 'is empty';
	return DateTime.now().setZone(zone).isValid
		? undefined
		: `"${zone}" is not a time zone: use an IANA name such as America/Argentina/Buenos_Aires or Europe/Madrid, or an offset such as UTC-3`;
}

/** The key of the day / week / month containing `at`, in `zone`. */
export function periodKey(kind: 'day' | 'week' | 'month', at: number, zone: string): string {
	const local = DateTime.fromMillis(at, { zone });
	if (!local.isValid) throw new RangeError(`Time zone "${zone}" is not valid`);
	return local.toFormat(FORMATS[kind]);
}

/** Which kind a key has (`2026-W49` → week), or 'custom' for any other key. */
export function kindOfKey(key: string): 'day' | 'week' | 'month' | 'custom' {
	for (const kind of ['day', 'week', 'month'] as const) if (PATTERNS[kind].test(key)) return kind;
	return 'custom';
}

/** Start of a day / week / month key in `zone`, or undefined for a custom key. */
function startOf(key: string, zone: string): DateTime | undefined {
	const kind = kindOfKey(key);
	if (kind === 'custom') return undefined;
	const start = DateTime.fromISO(key, { zone }).startOf(kind);
	return start.isValid ? start : undefined;
}

/** The period of a run: for day / week / month, computed from `at` in `zone`; for custom, the given key (checked). */
export function resolvePeriod(
	kind: Exclude<PeriodKind, 'none'>,
	options: { at: number; zone: string; key?: string },
): CampaignPeriod {
	if (kind === 'custom') {
		const key = String(options.key ?? '').trim();
		const problem = checkPeriodKey(key);
		if (problem) throw new RangeError(problem);
		return { kind, key };
	}
	const key = periodKey(kind, options.at, options.zone);
	const start = startOf(key, options.zone) as DateTime;
	return {
		kind,
		key,
		startsAt: start.toISO() ?? undefined,
		nextStartsAt: start.plus({ [`${kind}s`]: 1 }).toISO() ?? undefined,
		zone: options.zone,
	};
}

/** Checks a custom period key; returns the problem, or undefined when usable. */
export function checkPeriodKey(key: string): string | undefined {
	if (key === '') return 'is empty: give a key such as 2026-Q4, or choose Day, Week or Month';
	if (key.length > PERIOD_KEY_MAX_LENGTH)
		return `is ${key.length} characters: use at most ${PERIOD_KEY_MAX_LENGTH}`;
	if (!/^[A-Za-z0-9._-]+$/.test(key))
		return `"${key}" has characters other than letters, digits, ".", "_" and "-"`;
	if (kindOfKey(key) !== 'custom' && !startOf(key, 'UTC'))
		return `"${key}" looks like a date but is not one`;
	return undefined;
}

/** `<campaignId>@<period>`; checks the total length (the ID travels in each message's callback data). */
export function periodCampaignId(campaignId: string, period: string): string {
	const id = `${campaignId}${PERIOD_SEPARATOR}${period}`;
	if (id.length > CAMPAIGN_ID_MAX_LENGTH)
		throw new RangeError(
			`The campaign ID with its period ("${id}") is ${id.length} characters: use at most ${CAMPAIGN_ID_MAX_LENGTH}`,
		);
	return id;
}

/** Splits `<campaignId>@<period>`; period is undefined for a campaign without one. */
export function splitPeriodCampaignId(id: string): { campaignId: string; period?: string } {
	const at = id.lastIndexOf(PERIOD_SEPARATOR);
	if (at <= 0) return { campaignId: id };
	const period = id.slice(at + 1);
	if (checkPeriodKey(period)) return { campaignId: id };
	return { campaignId: id.slice(0, at), period };
}

/**
 * The `count` periods ending with `key` (oldest first): `2026-W49`, 3 → `2026-W47`, `2026-W48`, `2026-W49`.
 * Custom keys have no order: only the key itself.
 */
export function periodsEndingWith(key: string, count: number): string[] {
	const kind = kindOfKey(key);
	const start = startOf(key, 'UTC');
	if (kind === 'custom' || !start) return [key];
	const keys: string[] = [];
	for (let back = Math.max(1, Math.floor(count)) - 1; back >= 0; back--)
		keys.push(start.minus({ [`${kind}s`]: back }).toFormat(FORMATS[kind]));
	return keys;
}
