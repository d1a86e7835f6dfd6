/**
 * Meta's refusals as data: one row per error code the sandbox can give, with the HTTP status
 * (docs/meta-cloud-api.md §6: Meta answers 130429 and 131056 with 400, not 429), the message and
 * the title used in `statuses[].errors` when the same code arrives asynchronously.
 * Messages follow what Meta's Graph API returns in the wild; `details` is filled per request.
 */
import type { GraphErrorBody } from '../lib/cloud-api/types';

export interface ErrorRow {
	http: number;
	message: string;
	/** Short title used in webhook `errors[]` */
	title: string;
	type?: string;
	subcode?: number;
}

export const ERRORS = {
	2: {
		http: 503,
		message: '(#2) Service temporarily unavailable',
		title: 'Service temporarily unavailable',
	},
	100: { http: 400, message: '(#100) Invalid parameter', title: 'Invalid parameter' },
	104: {
		http: 401,
		message: 'An access token is required to request this resource.',
		title: 'Access token required',
	},
	190: {
		http: 401,
		message: 'Invalid OAuth access token - Cannot parse access token',
		title: 'Invalid OAuth access token',
	},
	2200: {
		http: 400,
		message: '(#2200) Callback verification failed with the following errors',
		title: 'Callback verification failed',
	},
	2500: { http: 400, message: 'Unknown path components', title: 'Unknown path components' },
	130429: { http: 400, message: '(#130429) Rate limit hit', title: 'Rate limit hit' },
	131000: { http: 500, message: '(#131000) Something went wrong', title: 'Something went wrong' },
	131008: {
		http: 400,
		message: '(#131008) Required parameter is missing',
		title: 'Required parameter is missing',
	},
	131009: {
		http: 400,
		message: '(#131009) Parameter value is not valid',
		title: 'Parameter value is not valid',
	},
	131021: {
		http: 400,
		message: '(#131021) Recipient cannot be sender.',
		title: 'Recipient cannot be sender',
	},
	131026: {
		http: 400,
		message: '(#131026) Message Undeliverable.',
		title: 'Message undeliverable',
	},
	131047: { http: 400, message: '(#131047) Re-engagement message', title: 'Re-engagement message' },
	131049: {
		http: 400,
		message: '(#131049) This message was not delivered to maintain healthy ecosystem engagement.',
		title: 'This message was not delivered to maintain healthy ecosystem engagement.',
	},
	131050: {
		http: 400,
		message:
			'(#131050) Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
		title: 'User stopped marketing messages',
	},
	131051: {
		http: 400,
		message: '(#131051) Unsupported message type',
		title: 'Unsupported message type',
	},
	131053: { http: 400, message: '(#131053) Media upload error', title: 'Media upload error' },
	131056: {
		http: 400,
		message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
		title: 'Pair rate limit hit',
	},
	132000: {
		http: 400,
		message: '(#132000) Number of parameters does not match the expected number of params',
		title: 'Number of parameters does not match the expected number of params',
	},
	132001: {
		http: 404,
		message: '(#132001) Template name does not exist in the translation',
		title: 'Template name does not exist in the translation',
	},
	132005: {
		http: 400,
		message: '(#132005) Translated text too long',
		title: 'Translated text too long',
	},
	132012: {
		http: 400,
		message: '(#132012) Parameter format does not match format in the created template',
		title: 'Parameter format does not match format in the created template',
	},
	132015: { http: 400, message: '(#132015) Template is Paused', title: 'Template is Paused' },
	132016: { http: 400, message: '(#132016) Template is disabled', title: 'Template is disabled' },
	133010: {
		http: 400,
		message: '(#133010) Phone number Not Registered',
		title: 'Phone number not registered',
	},
} satisfies Record<number, ErrorRow>;

export type ErrorCode = keyof typeof ERRORS;

/** Default `details` when a rule has nothing more specific to say. */
export const DEFAULT_DETAILS: Partial<Record<ErrorCode, string>> = {
	130429: 'Cloud API message throughput has been reached.',
	131000: 'Something went wrong. Please retry later.',
	131021: 'Sender and recipient phone number is the same.',
	131026:
		'Message Undeliverable. Reasons can include: the recipient phone number is not a WhatsApp phone number, the recipient has not accepted the new Terms of Service, or uses an old WhatsApp version.',
	131047:
		'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
	131049:
		'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
	131050:
		'This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
	131056:
		'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
	132015: 'Template is paused due to low quality so it cannot be sent in a template message.',
	132016:
		'Template has been paused too many times due to low quality and is now permanently disabled.',
};

/** A refusal the request handler turns into an HTTP answer (or a `failed` status webhook). */
export class SandboxError extends Error {
	static from(error: SandboxError): { error: GraphErrorBody } {
		return graphErrorBody(error.code, error.details, error.messageOverride, error.subcode);
	}

	constructor(
		readonly code: ErrorCode,
		readonly details?: string,
		/** Replaces the row's message, for the few code-100 answers Meta words differently */
		readonly messageOverride?: string,
		readonly subcode?: number,
	) {
		super(messageOverride ?? ERRORS[code].message);
	}

	get http(): number {
		return ERRORS[this.code].http;
	}
}

let traceCounter = 0;
const tracePrefix = Math.random().toString(36).slice(2, 6);

/** Meta's fbtrace_id is an opaque 11-character token; unique per answer is all that matters. */
export function fbtraceId(): string {
	traceCounter = (traceCounter + 1) % 0x1000000;
	return `A${tracePrefix}${traceCounter.toString(36).padStart(6, '0')}`;
}

/** `{"error": {...}}` exactly as Graph API returns it. */
export function graphErrorBody(
	code: ErrorCode,
	details?: string,
	messageOverride?: string,
	subcode?: number,
): { error: GraphErrorBody } {
	const row: ErrorRow = ERRORS[code];
	const error: GraphErrorBody = {
		message: messageOverride ?? row.message,
		type: row.type ?? 'OAuthException',
		code,
	};
	if (subcode ?? row.subcode) error.error_subcode = subcode ?? row.subcode;
	const text = details ?? DEFAULT_DETAILS[code];
	// Auth, path and unknown-object errors carry no error_data in Meta's answers; WhatsApp errors do.
	if (code !== 104 && code !== 190 && code !== 2500 && subcode === undefined) {
		error.error_data = { messaging_product: 'whatsapp', details: text ?? row.title };
	}
	error.fbtrace_id = fbtraceId();
	return { error };
}

/** Entry of `statuses[].errors` / `value.errors` in a webhook. */
export function webhookError(code: ErrorCode, details?: string) {
	const row: ErrorRow = ERRORS[code];
	return {
		code,
		title: row.title,
		message: row.title,
		error_data: { details: details ?? DEFAULT_DETAILS[code] ?? row.title },
		href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
	};
}
