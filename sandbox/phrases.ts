/**
 * A tiny language to drive a conversation from the CLI, the demo or a test:
 *
 *   contact +54 9 11 5555 1234 named Emilia says hola
 *   Emilia says necesito un turno 30 hours ago
 *   Emilia taps Confirm
 *   contact +54 9 11 5555 9999 named Tomás says hola from ad
 *   Emilia opts out            Emilia opts in
 *   +54 9 11 5555 0000 is not on WhatsApp
 *
 * Who: "contact <phone> [named <name>]", a known name, or a phone number. Then an action (says, taps,
 * opts out, opts in, is [not] on WhatsApp), optionally "from ad", optionally "<n> <unit> ago".
 * Parsing is pure; sandbox-side effects are in control.ts.
 */
import { foldText } from './contacts';

export type PhraseAction =
	| { kind: 'register' }
	| { kind: 'says'; text: string }
	| { kind: 'taps'; button: string }
	| { kind: 'optOut' }
	| { kind: 'optIn' }
	| { kind: 'onWhatsApp'; value: boolean };

export interface ParsedPhrase {
	phone?: string;
	name?: string;
	action: PhraseAction;
	fromAd: boolean;
	/** How long ago it happened, in ms (0 = now) */
	agoMs: number;
}

/** Milliseconds per unit, keyed by the unit's first letter (s, m, h, d) */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const AGO =
	/\s+(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\s+ago$/i;
const FROM_AD = /\s+(?:from|via)\s+(?:an?\s+)?ad$/i;
const ACTION_START =
	/\s+(says|taps|opts\s+out|opts\s+in|is\s+not\s+on\s+whatsapp|is\s+on\s+whatsapp)(?=\s|$)/i;
const PHONE = /^\+?[\d][\d\s\-().]{5,}\d/;

const USAGE =
	'phrases: "contact +54 9 11 5555 1234 named Emilia says hola", "Emilia taps Confirm", ' +
	'"Emilia says hola 30 hours ago", "Emilia says hola from ad", "Emilia opts out", "+54 9 11 5555 1234 is not on WhatsApp"';

export class PhraseError extends Error {
	constructor(message: string) {
		super(`${message}. ${USAGE}`);
	}
}

function parseAction(rest: string): PhraseAction {
	const text = rest.trim();
	if (text === '') return { kind: 'register' };
	const says = /^says\s+([\s\S]+)$/i.exec(text);
	if (says) return { kind: 'says', text: says[1] };
	const taps = /^taps\s+(.+)$/i.exec(text);
	if (taps) return { kind: 'taps', button: taps[1].replace(/^["'“]|["'”]$/g, '') };
	if (/^opts\s+out$/i.test(text)) return { kind: 'optOut' };
	if (/^opts\s+in$/i.test(text)) return { kind: 'optIn' };
	if (/^is\s+not\s+on\s+whatsapp$/i.test(text)) return { kind: 'onWhatsApp', value: false };
	if (/^is\s+on\s+whatsapp$/i.test(text)) return { kind: 'onWhatsApp', value: true };
	throw new PhraseError(`cannot understand "${text}"`);
}

/** Parses one phrase; `knownNames` are contact names already registered (for "Emilia taps Confirm"). */
export function parsePhrase(input: string, knownNames: string[] = []): ParsedPhrase {
	let phrase = input.trim().replace(/\s+/g, ' ');
	if (phrase === '') throw new PhraseError('empty phrase');
	let agoMs = 0;
	const ago = AGO.exec(phrase);
	if (ago) {
		agoMs = Number(ago[1]) * UNIT_MS[ago[2][0].toLowerCase()];
		phrase = phrase.slice(0, ago.index);
	}
	let fromAd = false;
	const ad = FROM_AD.exec(phrase);
	if (ad) {
		fromAd = true;
		phrase = phrase.slice(0, ad.index);
	}

	const contact = /^contact\s+(.+)$/i.exec(phrase);
	if (contact) {
		const rest = contact[1];
		const phone = PHONE.exec(rest);
		if (!phone)
			throw new PhraseError(
				`"contact" must be followed by a phone number with country code, got "${rest}"`,
			);
		let after = rest.slice(phone[0].length);
		let name: string | undefined;
		const named = /^\s+named\s+(.+)$/i.exec(after);
		if (named) {
			const actionAt = ACTION_START.exec(named[1]);
			name = (actionAt ? named[1].slice(0, actionAt.index) : named[1]).trim();
			after = actionAt ? named[1].slice(actionAt.index) : '';
		}
		return { phone: phone[0].trim(), name, action: parseAction(after), fromAd, agoMs };
	}

	const phone = PHONE.exec(phrase);
	if (phone)
		return {
			phone: phone[0].trim(),
			action: parseAction(phrase.slice(phone[0].length)),
			fromAd,
			agoMs,
		};

	// A known name: the longest one the phrase starts with, ignoring case and accents.
	const folded = foldText(phrase);
	const name = [...knownNames]
		.sort((a, b) => b.length - a.length)
		.find((candidate) => {
			const key = foldText(candidate);
			return folded === key || folded.startsWith(`${key} `);
		});
	if (!name) {
		const who = phrase.split(' ')[0];
		throw new PhraseError(
			`"${who}" is not a known contact; introduce them first with "contact <phone> named ${who}"`,
		);
	}
	return { name, action: parseAction(phrase.slice(name.length)), fromAd, agoMs };
}
