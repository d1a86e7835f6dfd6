/** Webhook `errors[]` (in statuses, unsupported messages and value.errors) with the catalogue's meaning and advice. */
import { describeError } from '../cloud-api/errors';
import { arr, int, obj, str } from './read';
import type { EnrichedError } from './types';
import { dropUndefined } from './object';

/** A webhook `errors[]` with each code's meaning and fix from the catalogue, or undefined when empty. */
export function enrichErrors(value: unknown): EnrichedError[] | undefined {
	const list = arr(value);
	if (list.length === 0) return undefined;
	const out: EnrichedError[] = [];
	for (const item of list) {
		const error = obj(item);
		if (!error) continue;
		const code = int(error.code);
		const described = describeError(code);
		out.push(
			dropUndefined({
				code: code ?? -1,
				title: str(error.title),
				message: str(error.message),
				details: str(obj(error.error_data)?.details),
				href: str(error.href),
				meaning: described.meaning,
				retry: described.retry,
				httpStatus: described.httpStatus,
				fix: described.message,
			}),
		);
	}
	return out.length > 0 ? out : undefined;
}
