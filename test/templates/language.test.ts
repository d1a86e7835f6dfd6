/** pickTemplateLanguage: exact, then same base language, then fallback, else a clear error. */

import { normaliseLocale, pickTemplateLanguage } from '../../lib/templates';
import * as fx from './fixtures';

const translations = [
	fx.appointmentReminderEs,
	fx.appointmentReminderEn,
	fx.appointmentReminderPtBr,
	fx.appointmentReminderEsArPending,
	fx.appointmentReminderFrRejected,
];

function picked(locale: unknown, fallback?: unknown): [string, string] {
	const result = pickTemplateLanguage(translations, locale, fallback);
	if (!result.ok) throw new Error(result.error);
	return [result.language, result.match];
}

describe('normaliseLocale', () => {
	test.each([
		['pt-BR', 'pt_BR'],
		['pt_br', 'pt_BR'],
		['ES-ar', 'es_AR'],
		['es', 'es'],
		[' en_US ', 'en_US'],
		['zh-Hant-TW', 'zh_TW'],
		['es-419', 'es_419'],
		['es-AR,es;q=0.9,en;q=0.8', 'es_AR'],
		['', ''],
		[undefined, ''],
		[42, ''],
	])('%p → %p', (input, expected) => {
		expect(normaliseLocale(input)).toBe(expected);
	});
});

describe('pickTemplateLanguage', () => {
	test('exact match', () => {
		expect(picked('en_US')).toEqual(['en_US', 'exact']);
		expect(picked('pt-BR')).toEqual(['pt_BR', 'exact']);
	});

	test('es_AR is not approved (PENDING): same base language es is used', () => {
		expect(picked('es_AR', 'en_US')).toEqual(['es', 'base']);
		expect(picked('es-MX')).toEqual(['es', 'base']);
	});

	test('a bare language finds a regional translation: pt → pt_BR, en → en_US', () => {
		expect(picked('pt')).toEqual(['pt_BR', 'base']);
		expect(picked('en-GB')).toEqual(['en_US', 'base']);
	});

	test('another region of the language is chosen alphabetically when the bare language is absent', () => {
		const regional = [
			{ ...fx.appointmentReminderEs, language: 'es_MX' },
			{ ...fx.appointmentReminderEs, language: 'es_ES' },
		];
		const result = pickTemplateLanguage(regional, 'es_AR', undefined);
		expect(result.ok && [result.language, result.match]).toEqual(['es_ES', 'base']);
	});

	test('fallback when the requested language has no approved translation (fr is REJECTED)', () => {
		expect(picked('fr_FR', 'en_US')).toEqual(['en_US', 'fallback']);
		expect(picked('de', 'pt-BR')).toEqual(['pt_BR', 'fallback']);
		expect(picked('', 'es')).toEqual(['es', 'default']);
		expect(picked(undefined, 'en')).toEqual(['en_US', 'default']);
	});

	test('no match and no usable fallback: the error lists approved and not sendable languages', () => {
		const result = pickTemplateLanguage(translations, 'fr_FR', 'de');
		expect(result).toEqual({
			ok: false,
			approvedLanguages: ['en_US', 'es', 'pt_BR'],
			error:
				'template "appointment_reminder" has no approved translation for "fr_FR" and fallback "de" (approved languages: en_US, es, pt_BR; not sendable: es_AR (PENDING), fr (REJECTED)): set Default Language to one of the approved ones',
		});
	});

	test('nothing approved at all', () => {
		const result = pickTemplateLanguage([fx.appointmentReminderEsArPending], 'es_AR', 'es');
		expect(result.ok).toBe(false);
		expect(!result.ok && result.error).toBe(
			'template "appointment_reminder" has no approved translation for "es_AR" and fallback "es" (no approved translation; not sendable: es_AR (PENDING)): wait for approval or choose another template',
		);
	});

	test('no templates given', () => {
		expect(pickTemplateLanguage([], 'es', 'en')).toEqual({
			ok: false,
			error: 'no template was given: choose a template',
			approvedLanguages: [],
		});
	});

	test('the picked template is the translation object itself, ready for buildTemplateMessage', () => {
		const result = pickTemplateLanguage(translations, 'es_AR', 'en');
		expect(result.ok && result.template).toBe(fx.appointmentReminderEs);
	});
});
