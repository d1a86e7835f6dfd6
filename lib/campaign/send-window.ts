/**
 * Send Window: recipients get a campaign only at decent hours of their own day (e.g. 09:00–20:00, Monday to
 * Saturday, in the recipient's time zone). Outside it a recipient is not claimed: it is reported as not sent
 * (`outside_send_window`, with when its window opens) and the next scheduled run sends it, or this run waits
 * for windows opening within a bounded time.
 *
 * The recipient's zone, in order: the item's time zone field; the phone number's country when that country
 * has one zone (country-zones.ts); the workflow's zone. Zones and DST come from luxon (the runtime's ICU data).
 */
import { DateTime } from 'luxon';

import { singleZoneCountries } from './country-zones';
import { checkZone } from './period';

/**
 * Longest a run may wait for windows to open: an execution that waits holds its worker; longer gaps are the
 * schedule's.
 */
export const MAX_SEND_WINDOW_WAIT_MINUTES = 60;

/** ISO weekday numbers (1 = Monday … 7 = Sunday) by the names the node uses. */
export const weekdayNumbers: Readonly<Record<string, number>> = {
	monday: 1,
	tuesday: 2,
	wednesday: 3,
	thursday: 4,
	friday: 5,
	saturday: 6,
	sunday: 7,
};
const DAY_LABELS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The Send Window as the user sets it (local hours, days, exempt categories, wait bound). */
export interface SendWindowInput {
	/** Local opening time, `HH:mm` */
	from: string;
	/** Local closing time, `HH:mm` (exclusive; `24:00` for midnight) */
	to: string;
	/** Weekday names (monday…sunday) or ISO numbers; empty or absent: every day */
	days?: Array<string | number>;
	/** Template categories sent at any hour (AUTHENTICATION, UTILITY) */
	exemptCategories?: string[];
	/** Wait this long at most for windows that open soon (0: never wait) */
	waitMinutes?: number;
}

/** A parsed Send Window, in minutes of the day and weekday numbers. */
export interface SendWindow {
	fromMinutes: number;
	toMinutes: number;
	days: ReadonlySet<number>;
	exemptCategories: ReadonlySet<string>;
	waitMs: number;
	/** `09:00–20:00 Mon–Sat` */
	label: string;
}

/** Where a recipient's zone came from. */
export type ZoneSource = 'item' | 'phone_country' | 'workflow';

/** A recipient's time zone and where it came from (item field, country, workflow). */
export interface RecipientZone {
	zone: string;
	source: ZoneSource;
	/** Why the workflow's zone was used (set for source 'workflow') */
	note?: string;
}

/** A row's Send Window facts as outputs show them (Bulk Campaign outcomes and dry-run rows). */
export interface RecipientZoneFields {
	/** The recipient's zone, IANA name or offset */
	timeZone?: string;
	timeZoneSource?: ZoneSource;
	/** Why the workflow's zone was used */
	timeZoneNote?: string;
	/** The recipient's local time when checked */
	localTime?: string;
	/** outside_send_window: when the recipient's window opens, ISO with their offset */
	sendWindowOpensAt?: string;
}

/** The zone fields of a row (none without a zone); `opensAt` (epoch ms) only for rows outside their window. */
export function zoneFields(
	zone: RecipientZone | undefined,
	localTime: string | undefined,
	opensAt?: number,
): RecipientZoneFields {
	if (!zone) return {};
	return {
		timeZone: zone.zone,
		timeZoneSource: zone.source,
		...(zone.note ? { timeZoneNote: zone.note } : {}),
		...(localTime ? { localTime } : {}),
		...(opensAt !== undefined ? { sendWindowOpensAt: localIso(opensAt, zone.zone) } : {}),
	};
}

/** A recipient's window at one instant. */
export interface WindowState {
	open: boolean;
	/** Epoch ms of the next opening (closed windows) */
	opensAt?: number;
	/** The recipient's local time, ISO with offset */
	localTime: string;
}

function minutesOf(text: string, field: string, allowMidnight: boolean): number {
	const match = /^(\d{1,2}):(\d{2})$/.exec(String(text ?? '').trim());
	const hours = match ? Number(match[1]) : NaN;
	const minutes = match ? Number(match[2]) : NaN;
	const total = hours * 60 + minutes;
	if (
		!match ||
		minutes > 59 ||
		hours > 24 ||
		total > 24 * 60 ||
		(total === 24 * 60 && !allowMidnight)
	) {
		throw new RangeError(
			`${field} — "${text}" is not a time of day: use HH:mm, e.g. 09:00${allowMidnight ? ' (24:00 for midnight)' : ''}`,
		);
	}
	return total;
}

const hhmm = (minutes: number) =>
	`${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

function daysLabel(days: ReadonlySet<number>): string {
	const sorted = [...days].sort((a, b) => a - b);
	if (sorted.length === 7) return 'every day';
	const contiguous = sorted.every((day, i) => i === 0 || day === sorted[i - 1] + 1);
	if (contiguous && sorted.length > 2)
		return `${DAY_LABELS[sorted[0]]}–${DAY_LABELS[sorted[sorted.length - 1]]}`;
	return sorted.map((day) => DAY_LABELS[day]).join(', ');
}

/** Checks and reads the node's Send Window settings; throws a RangeError naming the field and the fix. */
export function parseSendWindow(input: SendWindowInput): SendWindow {
	const fromMinutes = minutesOf(input.from, 'Send Window › From', false);
	const toMinutes = minutesOf(input.to, 'Send Window › To', true);
	if (toMinutes <= fromMinutes)
		throw new RangeError(
			`Send Window › To — ${input.to} is not after From (${input.from}): windows across midnight are not supported, use e.g. 09:00 to 20:00`,
		);
	const days = new Set<number>();
	for (const day of input.days ?? []) {
		const number = typeof day === 'number' ? day : weekdayNumbers[String(day).trim().toLowerCase()];
		if (!number || number < 1 || number > 7)
			throw new RangeError(`Send Window › Days — "${day}" is not a weekday: use monday … sunday`);
		days.add(number);
	}
	if (days.size === 0) for (let day = 1; day <= 7; day++) days.add(day);
	const wait = Number(input.waitMinutes ?? 0);
	if (!Number.isFinite(wait) || wait < 0 || wait > MAX_SEND_WINDOW_WAIT_MINUTES) {
		throw new RangeError(
			`Send Window › Wait for Windows Opening Within (Minutes) — must be 0 to ${MAX_SEND_WINDOW_WAIT_MINUTES}: longer gaps are for the schedule (the next run sends them)`,
		);
	}
	const exemptCategories = new Set(
		(input.exemptCategories ?? []).map((category) => String(category).toUpperCase()),
	);
	return {
		fromMinutes,
		toMinutes,
		days,
		exemptCategories,
		waitMs: Math.round(wait * 60_000),
		label: `${hhmm(fromMinutes)}–${hhmm(toMinutes)} ${daysLabel(days)}`,
	};
}

/**
 * The recipient's zone: the item's field when given (an invalid one is an error, not a silent fallback), else the
 * phone's country when it has one zone, else the workflow's zone.
 */
export function resolveRecipientZone(
	given: unknown,
	country: string | undefined,
	workflowZone: string,
): { ok: true; zone: RecipientZone } | { ok: false; message: string } {
	const text = given === undefined || given === null ? '' : String(given).trim();
	if (text !== '') {
		const problem = checkZone(text);
		if (problem) return { ok: false, message: `Send Window › Recipient Time Zone — ${problem}` };
		return { ok: true, zone: { zone: text, source: 'item' } };
	}
	const byCountry = country ? singleZoneCountries[country] : undefined;
	if (byCountry) return { ok: true, zone: { zone: byCountry, source: 'phone_country' } };
	const note = country
		? `${country} numbers span several time zones: give the recipient's zone in Send Window › Recipient Time Zone`
		: "the phone number has no country: give the recipient's zone in Send Window › Recipient Time Zone";
	return { ok: true, zone: { zone: workflowZone, source: 'workflow', note } };
}

/** Whether the window is open at `at` for a recipient in `zone`, and when it opens next if not. */
export function windowState(window: SendWindow, zone: string, at: number): WindowState {
	const local = DateTime.fromMillis(at, { zone });
	const localTime =
		local.startOf('second').toISO({ suppressMilliseconds: true }) ?? new Date(at).toISOString();
	const today = local.startOf('day');
	for (let offset = 0; offset <= 7; offset++) {
		const day = today.plus({ days: offset });
		if (!window.days.has(day.weekday)) continue;
		// Calendar arithmetic: on a DST day 09:00 is still 09:00 local (a time in a spring-forward gap moves forward
		// by the gap).
		const opens = day.set({
			hour: Math.floor(window.fromMinutes / 60),
			minute: window.fromMinutes % 60,
		});
		const closes =
			window.toMinutes === 24 * 60
				? day.plus({ days: 1 }).startOf('day')
				: day.set({ hour: Math.floor(window.toMinutes / 60), minute: window.toMinutes % 60 });
		if (at < opens.toMillis()) return { open: false, opensAt: opens.toMillis(), localTime };
		if (at < closes.toMillis()) return { open: true, localTime };
	}
	// Unreachable with at least one day: some day within a week opens later.
	return { open: false, localTime };
}

/** The opening time as the recipient reads it: ISO with their zone's offset. */
export function localIso(at: number, zone: string): string {
	return (
		DateTime.fromMillis(at, { zone }).toISO({ suppressMilliseconds: true }) ??
		new Date(at).toISOString()
	);
}

/** Now / later per zone, for the dry run and the summary. */
export interface SendWindowTally {
	window: string;
	now: number;
	later: number;
	byZone: Record<string, { now: number; later: number; nextOpensAt?: string }>;
}

/** Tallies recipients sent now and left for later, per zone, for the run summary. */
export class SendWindowCounter {
	private readonly tally: SendWindowTally;
	private readonly earliest = new Map<string, number>();

	constructor(window: SendWindow) {
		this.tally = { window: window.label, now: 0, later: 0, byZone: {} };
	}

	add(zone: string, opensAt: number | undefined): void {
		const line = (this.tally.byZone[zone] ??= { now: 0, later: 0 });
		if (opensAt === undefined) {
			this.tally.now++;
			line.now++;
			return;
		}
		this.tally.later++;
		line.later++;
		const earliest = this.earliest.get(zone);
		if (earliest === undefined || opensAt < earliest) {
			this.earliest.set(zone, opensAt);
			line.nextOpensAt = localIso(opensAt, zone);
		}
	}

	result(): SendWindowTally {
		return structuredClone(this.tally);
	}
}
