/**
 * WhatsApp template rules as data, in one place (docs/meta-cloud-api.md §1, §2, §4, §6).
 * Meta changes these numbers; change them here, not in the code that applies them.
 */

import type { TemplateCategory, TemplateStatus } from '../cloud-api/types';

export const templateRules = {
	/** Header text parameter (and the header with its value filled in). */
	headerTextMaxLength: 60,
	/** Body text parameter when the template has other components (header, footer, buttons). */
	bodyTextMaxLength: 1024,
	/** Body text parameter when the template has only a body. */
	bodyOnlyTextMaxLength: 32768,
	/** The body with every value filled in; beyond this Meta answers 132005 ("hydrated text too long"). */
	renderedBodyMaxLength: 1024,
	renderedBodyOnlyMaxLength: 32768,
	/** Authentication templates: the one-time code in the body and in the copy-code / one-tap button. */
	authenticationCodeMaxLength: 15,
	/** Copy-code (coupon) buttons: at most 15 characters, letters and digits only. */
	couponCodeMaxLength: 15,
	couponCodePattern: /^[A-Za-z0-9]+$/,
	/** Quick-reply payload, returned in the button webhook. */
	quickReplyPayloadMaxLength: 1000,
	/** URL buttons: the whole URL, base plus suffix. */
	urlButtonMaxLength: 2000,
	/** biz_opaque_callback_data, echoed back in status webhooks. */
	callbackDataMaxLength: 512,
	/** Free-form text message body (smart mode). */
	textMessageMaxLength: 4096,
	/** Characters Meta rejects in text parameters. */
	forbiddenInText: [
		{ pattern: /[\r\n]/, what: 'a newline', fix: 'replace newlines with spaces or " - "' },
		{ pattern: /\t/, what: 'a tab', fix: 'replace tabs with a space' },
		{ pattern: / {5,}/, what: 'more than 4 consecutive spaces', fix: 'collapse the spaces' },
	],
	/**
	 * A template variable: {{1}} (positional) or {{first_name}} (named). Meta asks for lowercase letters and
	 * underscores when creating; digits after the first character are accepted here so that an approved
	 * template is never refused by this reader.
	 */
	variablePattern: /\{\{\s*([^{}\s]+)\s*\}\}/g,
	positionalName: /^[1-9][0-9]*$/,
	namedParameterName: /^[a-z_][a-z0-9_]*$/,
	/** Media given by link must be https; media given by ID are the digits the upload endpoint returns. */
	mediaLinkProtocols: ['https:'] as readonly string[],
	mediaIdPattern: /^[0-9]{5,30}$/,
	/** ISO 4217 code for currency parameters. */
	currencyCodePattern: /^[A-Z]{3}$/,
	/** Latitude / longitude ranges for location headers. */
	latitudeRange: [-90, 90] as const,
	longitudeRange: [-180, 180] as const,
	/** Flow buttons: Meta's default token when none is given (the button component is always sent). */
	defaultFlowToken: 'unused',
} as const;

/** Button types of a template definition → the `sub_type` of the send component (§1). */
export const buttonSubTypes = {
	QUICK_REPLY: 'quick_reply',
	URL: 'url',
	COPY_CODE: 'copy_code',
	FLOW: 'flow',
	CATALOG: 'catalog',
	/** Authentication templates: created as OTP, read back as URL; sent as a url button carrying the code. */
	OTP: 'url',
} as const;

export type ButtonSubType = (typeof buttonSubTypes)[keyof typeof buttonSubTypes];

/** Buttons that take no value at send time. */
export const staticButtonTypes: readonly string[] = ['PHONE_NUMBER', 'VOICE_CALL'];

/** Header formats this builder can fill. */
export const mediaHeaderFormats = ['IMAGE', 'VIDEO', 'DOCUMENT'] as const;

/** Only APPROVED templates can be sent; what to tell the user for the other statuses. */
export const sendableStatus: TemplateStatus = 'APPROVED';
export const statusAdvice: Partial<Record<TemplateStatus, string>> = {
	PENDING: 'it is still under review: wait for approval or choose an approved template',
	IN_APPEAL: 'it is in appeal: wait for the decision or choose an approved template',
	REJECTED:
		'it was rejected: edit it in WhatsApp Manager and resubmit, or choose an approved template',
	PAUSED: 'it is paused for low quality (error 132015): edit it or choose another template',
	DISABLED: 'it is disabled for low quality (error 132016): create a new template',
	FLAGGED: 'it is flagged for low quality and may be paused: improve it or choose another template',
	LIMIT_EXCEEDED: 'the account reached its template limit: delete unused templates',
	PENDING_DELETION: 'it is being deleted: choose another template',
	DELETED: 'it was deleted: choose another template',
	ARCHIVED: 'it is archived: unarchive it in WhatsApp Manager or choose another template',
	LOCKED: 'it is locked: choose another template',
};

/** What a delivered message is billed as (pricing per message since 2025-07-01, §4). */
export type PriceCategory =
	| 'marketing'
	| 'utility'
	| 'authentication'
	| 'authentication_international'
	| 'free';

/** Which template sends Meta bills, as data. */
export interface PricingRules {
	/** Date the rules were checked against Meta's pricing pages. */
	asOf: string;
	/** Template categories free while the customer service window (24 h) is open. */
	freeInsideServiceWindow: readonly TemplateCategory[];
	/** Template categories free while a free entry point window (72 h) is open. */
	freeInsideFreeEntryPoint: readonly TemplateCategory[];
	/** Recipient countries (ISO alpha-2) with an authentication-international rate. */
	authenticationInternationalCountries: readonly string[];
}

/**
 * Reports (unconfirmed) say in-window utility templates become chargeable from 2026-10-01: pass edited
 * rules to priceCategory() when that happens rather than changing code.
 */
export const pricingRules: PricingRules = {
	asOf: '2026-01-01',
	freeInsideServiceWindow: ['UTILITY'],
	freeInsideFreeEntryPoint: ['MARKETING', 'UTILITY', 'AUTHENTICATION'],
	// India and Indonesia since mid-2024, seven more markets since 2025-02-01, Bangladesh on 2026 rate cards.
	authenticationInternationalCountries: [
		'IN',
		'ID',
		'EG',
		'MY',
		'NG',
		'PK',
		'SA',
		'ZA',
		'AE',
		'BD',
	],
};
