/**
 * Total readers for untrusted JSON: every webhook field goes through these, so a payload of any shape
 * (wrong types, missing keys, numbers where strings belong) yields `undefined` instead of a throw.
 */

export type JsonObject = Record<string, unknown>;

const EMPTY: readonly unknown[] = Object.freeze([]);

/** A plain JSON object (not an array, not null), else undefined. */
export function obj(value: unknown): JsonObject | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as JsonObject)
		: undefined;
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

/** A boolean, or undefined. */
export function bool(value: unknown): boolean | undefined {
	return typeof value === 'boolean' ? value : undefined;
}

/** Latest instant a JS Date can hold (ECMAScript time value limit), in ms. */
const MAX_TIME_MS = 8.64e15;

/** Unix seconds (string or number) → ISO string and epoch ms; undefined for anything a Date cannot hold. */
export function unixTime(value: unknown): { timestamp: string; timestampMs: number } | undefined {
	const seconds = int(value);
	if (seconds === undefined || seconds < 0) return undefined;
	const timestampMs = seconds * 1000;
	if (timestampMs > MAX_TIME_MS) return undefined;
	return { timestamp: new Date(seconds * 1000).toISOString(), timestampMs };
}
