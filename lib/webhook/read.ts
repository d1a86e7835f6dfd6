/**
 * Total readers for untrusted JSON: every webhook field goes through these, so a payload of any shape
 * (wrong types, missing keys, numbers where strings belong) yields `undefined` instead of a throw.
 */

export type JsonObject = Record<string, unknown>;

const EMPTY: readonly unknown[] = Object.freeze([]);

/** A plain JSON object (not an array, not null), else undefined. */
export function obj(value: unknown): JsonObject | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** An array, else an empty array (so callers can loop without checks). */
export function arr(value: unknown): readonly unknown[] {
	return Array.isArray(value) ? value : EMPTY;
}

/** A non-empty string; finite numbers become strings because Meta sends some IDs as numbers (template IDs). */
export function str(value: unknown): string | undefined {
	if (typeof value === 'string') return value.length > 0 ? value : undefined;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/** A non-empty string and nothing else: for names from a fixed vocabulary (field, type, status, event). */
export function name(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A string exactly as sent, empty string included (a reaction with emoji "" means "reaction removed"). */
export function rawStr(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** An integer from a number or a decimal-digit string (Meta sends error codes as numbers, timestamps as strings). */
export function int(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
	if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
	return undefined;
}

export function bool(value: unknown): boolean | undefined {
	return typeof value === 'boolean' ? value : undefined;
}

/** Latest instant a JS Date can hold (ECMAScript time value limit), in ms. */
const MAX_TIME_MS = 8.64e15;

function pad2(n: number): string {
	return n < 10 ? `0${n}` : String(n);
}

/**
 * Whole Unix seconds → the string Date#toISOString gives, about 3× faster (it runs once or twice per
 * event, up to 1,000 events per webhook). Days → civil date with Howard Hinnant's algorithm
 * ("chrono-compatible low-level date algorithms"); the tests compare it with toISOString.
 */
export function isoFromUnixSeconds(seconds: number): string {
	const days = Math.floor(seconds / 86400);
	let rest = seconds - days * 86400;
	const z = days + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const month = mp < 10 ? mp + 3 : mp - 9;
	const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
	const hours = Math.floor(rest / 3600);
	rest -= hours * 3600;
	const minutes = Math.floor(rest / 60);
	const secs = rest - minutes * 60;
	const yearText = year < 10000 ? String(year).padStart(4, '0') : `+${String(year).padStart(6, '0')}`;
	return `${yearText}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(secs)}.000Z`;
}

/** Unix seconds (string or number) → ISO string and epoch ms; undefined for anything a Date cannot hold. */
export function unixTime(value: unknown): { timestamp: string; timestampMs: number } | undefined {
	const seconds = int(value);
	if (seconds === undefined || seconds < 0) return undefined;
	const timestampMs = seconds * 1000;
	if (timestampMs > MAX_TIME_MS) return undefined;
	return { timestamp: isoFromUnixSeconds(seconds), timestampMs };
}
