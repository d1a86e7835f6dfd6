/**
 * Picks the best APPROVED translation of a template for a contact's language or locale.
 * Meta's codes are `es`, `es_AR`, `pt_BR`, `en_US`…: one template per name and language (§2).
 */

import type { MessageTemplate } from '../cloud-api/types';
import { sendableStatus } from './message-rules';

/**
 * Normalises a language tag to Meta's form: `pt-BR` → `pt_BR`, `ES_ar` → `es_AR`, `zh-Hant-TW` → `zh_TW`,
 * `es-AR,es;q=0.9` (an Accept-Language header) → `es_AR`. Returns '' for empty input.
 */
export function normaliseLocale(input: unknown): string {
	if (typeof input !== 'string') return '';
	const first = input.split(',')[0].split(';')[0].trim();
	if (first === '') return '';
	const parts = first.split(/[-_]/).filter((part) => part !== '');
	const language = parts[0].toLowerCase();
	// Region: two letters or three digits; scripts (Hant, Latn) are dropped, Meta has no codes with them.
	const region = parts
		.slice(1)
		.find((part) => /^[A-Za-z]{2}$/.test(part) || /^[0-9]{3}$/.test(part));
	return region ? `${language}_${region.toUpperCase()}` : language;
}

function baseOf(locale: string): string {
	return locale.split('_')[0];
}

/**
 * `default`: no recipient language, so the chosen Default Language; `fallback`: the recipient's had no approved
 * translation.
 */
export type LanguageMatch = 'exact' | 'base' | 'default' | 'fallback';

export type LanguagePick =
	| { ok: true; template: MessageTemplate; language: string; match: LanguageMatch }
	| { ok: false; error: string; approvedLanguages: string[] };

/** Exact locale first, then the bare language (`es`), then another region of it (`es_MX`, alphabetical). */
function bestFor(
	locale: string,
	approved: MessageTemplate[],
): { template: MessageTemplate; exact: boolean } | undefined {
	if (locale === '') return undefined;
	const byCode = (code: string): MessageTemplate | undefined =>
		approved.find((template) => normaliseLocale(template.language) === code);
	const exact = byCode(locale);
	if (exact) return { template: exact, exact: true };
	const base = baseOf(locale);
	const bare = byCode(base);
	if (bare) return { template: bare, exact: false };
	const sameBase = approved
		.filter((template) => baseOf(normaliseLocale(template.language)) === base)
		.sort((a, b) => normaliseLocale(a.language).localeCompare(normaliseLocale(b.language)));
	return sameBase[0] ? { template: sameBase[0], exact: false } : undefined;
}

/**
 * Chooses among the translations of one template (same name, one entry per language):
 * exact (`es_AR`), then same base language (`es` for `es_AR`, `pt_BR` for `pt-BR` / `pt`),
 * then the fallback language (matched the same way), else an error listing what is approved.
 */
export function pickTemplateLanguage(
	templatesWithSameName: MessageTemplate[],
	requestedLocale: unknown,
	fallbackLanguage?: unknown,
): LanguagePick {
	const approved = templatesWithSameName.filter((template) => template.status === sendableStatus);
	const approvedLanguages = approved.map((template) => template.language).sort();
	const requested = normaliseLocale(requestedLocale);
	const requestedHit = bestFor(requested, approved);
	if (requestedHit) {
		return {
			ok: true,
			template: requestedHit.template,
			language: requestedHit.template.language,
			match: requestedHit.exact ? 'exact' : 'base',
		};
	}
	const fallback = normaliseLocale(fallbackLanguage);
	const fallbackHit = bestFor(fallback, approved);
	if (fallbackHit)
		return {
			ok: true,
			template: fallbackHit.template,
			language: fallbackHit.template.language,
			match: requested === '' ? 'default' : 'fallback',
		};

	const name = templatesWithSameName[0]?.name;
	if (!name)
		return { ok: false, error: 'no template was given: choose a template', approvedLanguages };
	const asked = [
		requested ? `"${requested}"` : 'no language',
		fallback ? `fallback "${fallback}"` : 'no fallback language',
	].join(' and ');
	const others = templatesWithSameName
		.filter((template) => template.status !== sendableStatus)
		.map((template) => `${template.language} (${template.status})`);
	const available =
		approvedLanguages.length > 0
			? `approved languages: ${approvedLanguages.join(', ')}`
			: 'no approved translation';
	const notApproved = others.length > 0 ? `; not sendable: ${others.join(', ')}` : '';
	const fix =
		approvedLanguages.length > 0
			? 'set Default Language to one of the approved ones'
			: 'wait for approval or choose another template';
	return {
		ok: false,
		error: `template "${name}" has no approved translation for ${asked} (${available}${notApproved}): ${fix}`,
		approvedLanguages,
	};
}
