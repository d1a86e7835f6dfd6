/**
 * Opt-out / opt-in words and button payloads, as data in one place. The trigger node offers these as the
 * defaults of its options; the user can replace them. Matching is case- and accent-insensitive and on the
 * whole message (see opt-change.ts), so list each word once, in any case, with or without accents.
 */

/** Typed alone, these stop all business-initiated messages (en, es, pt). */
export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = Object.freeze([
	'STOP',
	'BAJA',
	'PARAR',
	'CANCELAR',
	'UNSUBSCRIBE',
	'SAIR',
]);

/** Typed alone, these undo an earlier opt-out. */
export const DEFAULT_OPT_IN_KEYWORDS: readonly string[] = Object.freeze(['START', 'ALTA']);

/**
 * Quick-reply payloads (template buttons) and interactive reply IDs that mean opt-out. A template's
 * "unsubscribe" quick reply should use one of these payloads (the send node's default is the first).
 */
export const DEFAULT_OPT_OUT_BUTTON_PAYLOADS: readonly string[] = Object.freeze([
	'OPT_OUT',
	'STOP',
	'UNSUBSCRIBE',
]);

/** Quick-reply payloads and interactive reply IDs that mean opt-in. */
export const DEFAULT_OPT_IN_BUTTON_PAYLOADS: readonly string[] = Object.freeze(['OPT_IN', 'START']);

/** Meta's `user_preferences` webhook: category and values for marketing opt-out / resume. */
export const MARKETING_PREFERENCE = Object.freeze({
	category: 'marketing_messages',
	stop: 'stop',
	resume: 'resume',
});

/** Status error code meaning "user stopped marketing messages" (docs/meta-cloud-api.md §6). */
export const MARKETING_OPT_OUT_ERROR_CODE = 131050;
