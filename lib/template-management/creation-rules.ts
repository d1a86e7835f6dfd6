/**
 * Meta's rules for creating a message template (POST /{waba-id}/message_templates), as data in one place.
 * Meta changes these numbers; change them here, not in the code that applies them (draft.ts, the sandbox).
 */
export const templateCreationRules = {
	/** Lowercase letters, digits and underscores */
	namePattern: /^[a-z0-9_]+$/,
	nameMaxLength: 512,
	/** Meta's language codes: es, en_US, pt_BR, zh_CN… */
	languagePattern: /^[a-z]{2,3}(_[A-Z]{2,4})?$/,
	categories: ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const,
	/**
	 * Categories this package creates; authentication templates take Meta's fixed wording (create them in WhatsApp
	 * Manager)
	 */
	creatableCategories: ['MARKETING', 'UTILITY'] as const,
	headerFormats: ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'] as const,
	headerTextMaxLength: 60,
	headerMaxVariables: 1,
	bodyMaxLength: 1024,
	footerMaxLength: 60,
	/** A variable: {{1}} or {{first_name}} */
	variablePattern: /\{\{\s*([^{}\s]*)\s*\}\}/g,
	positionalName: /^[1-9][0-9]*$/,
	namedParameterName: /^[a-z][a-z0-9_]*$/,
	buttons: {
		max: 10,
		textMaxLength: 25,
		/** At most this many of each kind */
		maxByType: { QUICK_REPLY: 10, URL: 2, PHONE_NUMBER: 1, COPY_CODE: 1 } as Record<string, number>,
		types: ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE'] as const,
		urlMaxLength: 2000,
		phoneNumberMaxLength: 20,
		couponCodeMaxLength: 15,
	},
} as const;

export type TemplateCategoryInput = (typeof templateCreationRules.categories)[number];
export type HeaderFormatInput = (typeof templateCreationRules.headerFormats)[number];
export type ButtonTypeInput = (typeof templateCreationRules.buttons.types)[number];

/** What Meta's `rejected_reason` values mean, for list / get outputs. */
export const rejectionReasons: Record<string, string> = {
	NONE: '',
	ABUSIVE_CONTENT: 'The content was flagged as abusive',
	INCORRECT_CATEGORY:
		'The category does not match the content (e.g. a promotion submitted as utility)',
	INVALID_FORMAT: "The template's format is invalid (variables, examples, length)",
	PROMOTIONAL: 'Promotional content in a non-marketing template',
	SCAM: 'The content was flagged as a possible scam',
	TAG_CONTENT_MISMATCH: 'The content does not match the category or language',
};
