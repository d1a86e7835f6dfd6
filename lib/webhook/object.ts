/** Small object helpers that stay safe with keys taken from untrusted JSON (e.g. "__proto__"). */
import type { JsonObject } from './read';

/** A copy without undefined values, so events carry only the fields that exist (n8n shows every key). */
export function dropUndefined<T extends object>(value: T): T {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(value)) {
		const field = (value as Record<string, unknown>)[key];
		if (field !== undefined) out[key] = field;
	}
	return out as T;
}

/** Sets an own data property even for "__proto__", which plain assignment would treat as a prototype change. */
export function defineKey(target: JsonObject, key: string, value: unknown): void {
	if (key === '__proto__')
		Object.defineProperty(target, key, {
			value,
			enumerable: true,
			writable: true,
			configurable: true,
		});
	else target[key] = value;
}
