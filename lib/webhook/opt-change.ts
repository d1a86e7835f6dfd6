/**
 * Opt-out / opt-in detection on normalised events.
 *
 * - keyword: a text message that is, as a whole, one of the keywords — case-, accent- and width-insensitive,
 *   surrounding whitespace and punctuation ignored ("Baja.", "¡STOP!", "ｓｔｏｐ"), but "no quiero la baja"
 *   is not. Only typed text counts: a button titled "Cancelar" in a booking flow is not an opt-out.
 * - button: a template quick-reply payload or an interactive reply ID in the configured payload lists.
 * - user-preferences: Meta's `user_preferences` change (marketing_messages stop / resume), marketing only.
 * - error-131050: a failed status with 131050 (user stopped marketing messages), marketing only.
 * A word in both lists counts as opt-out (the safe side).
 */
import {
	DEFAULT_OPT_IN_BUTTON_PAYLOADS,
	DEFAULT_OPT_IN_KEYWORDS,
	DEFAULT_OPT_OUT_BUTTON_PAYLOADS,
	DEFAULT_OPT_OUT_KEYWORDS,
	MARKETING_OPT_OUT_ERROR_CODE,
	MARKETING_PREFERENCE,
} from './keywords';
import { dropUndefined } from './object';
import type { WebhookEvent } from './types';

/**
 * Lists replace the defaults of keywords.ts (an empty list turns that detection off). Treat them as immutable:
 * they are compiled once per array.
 */
export interface OptChangeOptions {
	optOutKeywords?: readonly string[];
	optInKeywords?: readonly string[];
	optOutButtonPayloads?: readonly string[];
	optInButtonPayloads?: readonly string[];
}

export type OptChangeReason = 'keyword' | 'button' | 'user-preferences' | 'error-131050';

/** An opt-out or opt-in the event asks for, and what matched. */
export interface OptChange {
	change: 'opt-out' | 'opt-in';
	reason: OptChangeReason;
	/** all: every business-initiated message; marketing: marketing templates only */
	scope: 'all' | 'marketing';
	/** The keyword or payload that matched, as configured */
	matched?: string;
	wa_id?: string;
	user_id?: string;
	phoneNumberId?: string;
	timestamp?: string;
	timestampMs?: number;
}

const EDGES = /^[\p{P}\p{Z}\s]+|[\p{P}\p{Z}\s]+$/gu;

/** The comparable form of a message or keyword: compatibility-decomposed, marks removed, lower case, edges trimmed. */
export function normaliseKeyword(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/\p{M}+/gu, '')
		.toLowerCase()
		.replace(/[\p{Z}\s]+/gu, ' ')
		.replace(EDGES, '');
}

/** Normalised form → entry as configured, per list; lists are usually the same array for every event. */
const compiled = new WeakMap<readonly string[], Map<string, string>>();

function findIn(list: readonly string[], candidate: string): string | undefined {
	let lookup = compiled.get(list);
	if (!lookup) {
		lookup = new Map();
		for (const entry of list) {
			if (typeof entry !== 'string') continue;
			const key = normaliseKeyword(entry);
			if (key !== '' && !lookup.has(key)) lookup.set(key, entry);
		}
		compiled.set(list, lookup);
	}
	return lookup.get(normaliseKeyword(candidate));
}

type Who = Pick<OptChange, 'wa_id' | 'user_id' | 'phoneNumberId' | 'timestamp' | 'timestampMs'>;

function who(event: WebhookEvent): Who {
	const { wa_id, user_id } = event as { wa_id?: string; user_id?: string };
	return dropUndefined<Who>({
		wa_id,
		user_id,
		phoneNumberId: event.phoneNumberId,
		timestamp: event.timestamp,
		timestampMs: event.timestampMs,
	});
}

function byList(
	candidate: string | undefined,
	outList: readonly string[],
	inList: readonly string[],
	reason: OptChangeReason,
	event: WebhookEvent,
): OptChange | undefined {
	if (candidate === undefined) return undefined;
	const out = findIn(outList, candidate);
	if (out !== undefined)
		return { change: 'opt-out', reason, scope: 'all', matched: out, ...who(event) };
	const back = findIn(inList, candidate);
	if (back !== undefined)
		return { change: 'opt-in', reason, scope: 'all', matched: back, ...who(event) };
	return undefined;
}

/** The opt change an event asks for (keywords, button payloads, user_preferences, 131050), or undefined. */
export function detectOptChange(
	event: WebhookEvent,
	options: OptChangeOptions = {},
): OptChange | undefined {
	if (event.kind === 'message') {
		if (event.type === 'text') {
			return byList(
				event.text,
				options.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS,
				options.optInKeywords ?? DEFAULT_OPT_IN_KEYWORDS,
				'keyword',
				event,
			);
		}
		if (event.type === 'button' || event.type === 'interactive') {
			return byList(
				event.replyId,
				options.optOutButtonPayloads ?? DEFAULT_OPT_OUT_BUTTON_PAYLOADS,
				options.optInButtonPayloads ?? DEFAULT_OPT_IN_BUTTON_PAYLOADS,
				'button',
				event,
			);
		}
		return undefined;
	}
	if (event.kind === 'status') {
		if (
			event.status === 'failed' &&
			event.errors?.some((error) => error.code === MARKETING_OPT_OUT_ERROR_CODE)
		) {
			return {
				change: 'opt-out',
				reason: 'error-131050',
				scope: 'marketing',
				matched: String(MARKETING_OPT_OUT_ERROR_CODE),
				...who(event),
			};
		}
		return undefined;
	}
	const preference = event.preference;
	if (
		event.field === 'user_preferences' &&
		preference?.category === MARKETING_PREFERENCE.category
	) {
		if (preference.value === MARKETING_PREFERENCE.stop) {
			return {
				change: 'opt-out',
				reason: 'user-preferences',
				scope: 'marketing',
				matched: preference.value,
				...who(event),
			};
		}
		if (preference.value === MARKETING_PREFERENCE.resume) {
			return {
				change: 'opt-in',
				reason: 'user-preferences',
				scope: 'marketing',
				matched: preference.value,
				...who(event),
			};
		}
	}
	return undefined;
}
