/**
 * The WhatsApp / Graph API error catalogue, as data: every code of docs/meta-cloud-api.md §6 with its meaning,
 * usual HTTP status, what a sender should do (retry class) and one line a no-code user can act on.
 * Used by the transport (synchronous errors), the trigger (asynchronous `errors[]`) and the campaign pacer.
 */

/**
 * retry: transient, back off and retry · wait: retry later (pacing/limits) · fix-input: the request is wrong ·
 * stop: do not retry
 */
export type RetryClass = 'retry' | 'wait' | 'fix-input' | 'stop';

/** One code of Meta's error table: meaning, HTTP status, retry class and the fix in one line. */
export interface ErrorEntry {
	code: number;
	meaning: string;
	httpStatus: number;
	retry: RetryClass;
	/** What the user should do, in one line. */
	message: string;
	/** How long Meta asks to wait before sending again (to this user for 131049, this flow for 132069). */
	waitMs?: number;
}

const HOUR_MS = 3_600_000;

const entries: ErrorEntry[] = [
	{
		code: 0,
		meaning: 'Authentication exception',
		httpStatus: 401,
		retry: 'stop',
		message:
			'The access token is invalid: open the WhatsApp HSM Cloud API credential and paste a valid token.',
	},
	{
		code: 190,
		meaning: 'Access token expired or invalid',
		httpStatus: 401,
		retry: 'stop',
		message:
			'The access token expired: create a permanent System User token in Meta Business Settings and update the credential.',
	},
	{
		code: 1,
		meaning: 'Unknown API error',
		httpStatus: 400,
		retry: 'stop',
		message:
			"Meta reported an unknown error: check the request and Meta's status page, then retry manually.",
	},
	{
		code: 2,
		meaning: 'Service temporarily unavailable',
		httpStatus: 503,
		retry: 'retry',
		message: 'Meta is temporarily unavailable: retried with backoff; retry later if it persists.',
	},
	{
		code: 3,
		meaning: 'Capability or permission missing for this API method',
		httpStatus: 500,
		retry: 'stop',
		message:
			'The app lacks the permission for this call: add whatsapp_business_messaging / whatsapp_business_management to the token.',
	},
	{
		code: 10,
		meaning: 'Permission denied',
		httpStatus: 403,
		retry: 'stop',
		message:
			"Permission denied: give the token's system user access to this WhatsApp Business Account and phone number.",
	},
	{
		code: 131005,
		meaning: 'Access denied',
		httpStatus: 403,
		retry: 'stop',
		message:
			"Access denied: the token has no permission for this phone number; check the phone number ID and the token's assets.",
	},
	{
		code: 4,
		meaning: 'Too many API calls for this app',
		httpStatus: 400,
		retry: 'retry',
		message: 'App call rate limit reached: slow down; retried with backoff.',
	},
	{
		code: 80007,
		meaning: 'WhatsApp Business Account rate limit reached',
		httpStatus: 400,
		retry: 'retry',
		message: 'WABA rate limit reached: slow down; retried with backoff.',
	},
	{
		code: 100,
		meaning: 'Invalid parameter',
		httpStatus: 400,
		retry: 'fix-input',
		message:
			'A parameter is invalid (often the phone number or an ID): fix the field named in the details.',
	},
	{
		code: 368,
		meaning: 'Temporarily blocked for policy violations',
		httpStatus: 403,
		retry: 'stop',
		message:
			'The account is blocked for policy violations: see Meta Business Support Home before sending again.',
	},
	{
		code: 131031,
		meaning: 'Business account locked',
		httpStatus: 403,
		retry: 'stop',
		message: 'The business account is locked: resolve it in Meta Business Support Home.',
	},
	{
		code: 130429,
		meaning: 'Throughput rate limit reached',
		httpStatus: 400,
		retry: 'wait',
		message: "The phone number's messages-per-second limit was reached: slowed down and retried.",
	},
	{
		code: 131000,
		meaning: 'Something went wrong',
		httpStatus: 500,
		retry: 'retry',
		message: 'Meta failed to send the message: retried with backoff.',
	},
	{
		code: 131016,
		meaning: 'Service unavailable',
		httpStatus: 500,
		retry: 'retry',
		message: 'WhatsApp is overloaded: retried with backoff.',
	},
	{
		code: 131008,
		meaning: 'Required parameter is missing',
		httpStatus: 400,
		retry: 'fix-input',
		message: 'A required parameter is missing: fill in the field named in the details.',
	},
	{
		code: 131009,
		meaning: 'Parameter value is not valid',
		httpStatus: 400,
		retry: 'fix-input',
		message:
			'A parameter value is not valid (often the phone number): fix the field named in the details.',
	},
	{
		code: 131021,
		meaning: 'Recipient cannot be the sender',
		httpStatus: 400,
		retry: 'fix-input',
		message: "The recipient is the business number itself: send to the customer's number instead.",
	},
	{
		code: 131026,
		meaning: 'Message undeliverable',
		httpStatus: 400,
		retry: 'stop',
		message:
			'Not a WhatsApp number (or the user has an old app / has not accepted the terms): do not retry; reach the user another way.',
	},
	{
		code: 131042,
		meaning: 'Business eligibility payment issue',
		httpStatus: 400,
		retry: 'stop',
		message: 'Payment problem: add or fix the payment method of the WhatsApp Business Account.',
	},
	{
		code: 131047,
		meaning: 'Re-engagement message: more than 24 hours since the customer last replied',
		httpStatus: 400,
		retry: 'fix-input',
		message:
			'The 24-hour window is closed: use a template (Send HSM Template) instead of a free-form message.',
	},
	{
		code: 131048,
		meaning: 'Spam rate limit hit',
		httpStatus: 400,
		retry: 'wait',
		message:
			'Too many messages were blocked or reported as spam: pause sending and improve message quality.',
	},
	{
		code: 131049,
		meaning:
			'Meta chose not to deliver this message to keep the ecosystem healthy (per-user marketing limit)',
		httpStatus: 400,
		retry: 'wait',
		message: 'Per-user marketing limit reached: do not resend to this user for at least 24 hours.',
		waitMs: 24 * HOUR_MS,
	},
	{
		code: 131050,
		meaning: 'User stopped marketing messages',
		httpStatus: 400,
		retry: 'stop',
		message:
			'The user opted out of marketing messages: never resend marketing to this user (recorded as opt-out).',
	},
	{
		code: 131051,
		meaning: 'Unsupported message type',
		httpStatus: 400,
		retry: 'fix-input',
		message: 'This message type is not supported: use a supported type.',
	},
	{
		code: 131056,
		meaning: 'Pair rate limit: too many messages to the same recipient',
		httpStatus: 400,
		retry: 'wait',
		message:
			'Too many messages to this recipient in a short time: waited and retried (4^n seconds).',
	},
	{
		code: 131057,
		meaning: 'Account in maintenance mode (throughput upgrade)',
		httpStatus: 500,
		retry: 'wait',
		message: 'The number is being upgraded: wait a few minutes and retry.',
	},
	{
		code: 131052,
		meaning: 'Media download error',
		httpStatus: 400,
		retry: 'fix-input',
		message: 'WhatsApp could not download the media the user sent: ask the user to send it again.',
	},
	{
		code: 131053,
		meaning: 'Media upload error',
		httpStatus: 400,
		retry: 'fix-input',
		message:
			'The media could not be used (type, size or an unreachable link): send a JPEG/PNG image ≤ 5 MB, an MP4 video ≤ 16 MB or a document ≤ 100 MB, or a link Meta can download.',
	},
	{
		code: 132000,
		meaning: 'Template parameter count mismatch',
		httpStatus: 400,
		retry: 'fix-input',
		message:
			'The number of template variables does not match the template: fill exactly the fields the template has.',
	},
	{
		code: 132001,
		meaning: 'Template does not exist in this language or is not approved',
		httpStatus: 404,
		retry: 'fix-input',
		message:
			'The template does not exist or is not approved in that language: pick an approved template and language.',
	},
	{
		code: 132005,
		meaning: 'Translated text too long',
		httpStatus: 400,
		retry: 'fix-input',
		message: 'The text with its variables filled in is too long: shorten the variable values.',
	},
	{
		code: 132007,
		meaning: 'Template format character policy violated',
		httpStatus: 400,
		retry: 'fix-input',
		message:
			'The template content violates WhatsApp policy: edit the template in WhatsApp Manager.',
	},
	{
		code: 132012,
		meaning: 'Template parameter format mismatch',
		httpStatus: 400,
		retry: 'fix-input',
		message:
			'A variable has the wrong format for the template (text vs media, named vs positional): fix that field.',
	},
	{
		code: 132015,
		meaning: 'Template is paused because of low quality',
		httpStatus: 400,
		retry: 'stop',
		message: 'The template is paused for low quality: edit it or use another template.',
	},
	{
		code: 132016,
		meaning: 'Template is disabled because of low quality',
		httpStatus: 400,
		retry: 'stop',
		message: 'The template is permanently disabled: create a new template.',
	},
	{
		code: 132068,
		meaning: 'Flow is in blocked state',
		httpStatus: 400,
		retry: 'stop',
		message: 'The flow behind this button is blocked: fix the flow in WhatsApp Manager.',
	},
	{
		code: 132069,
		meaning: 'Flow is in throttled state',
		httpStatus: 400,
		retry: 'wait',
		message: 'The flow is throttled: wait about an hour before sending it again.',
		waitMs: HOUR_MS,
	},
	{
		code: 133010,
		meaning: 'Phone number not registered',
		httpStatus: 400,
		retry: 'stop',
		message: 'The business phone number is not registered on the Cloud API: register it first.',
	},
	{
		code: 135000,
		meaning: 'Generic user error',
		httpStatus: 400,
		retry: 'stop',
		message: 'Meta rejected the request: check the details and the template.',
	},
];

export const errorCatalogue: ReadonlyMap<number, ErrorEntry> = new Map(
	entries.map((entry) => [entry.code, entry]),
);

/** The catalogue entry for a code, or a conservative description of an unknown code (never retried blindly). */
export function describeError(code: number | undefined, httpStatus?: number): ErrorEntry {
	const known = code === undefined ? undefined : errorCatalogue.get(code);
	if (known) return known;
	const serverSide = httpStatus !== undefined && httpStatus >= 500;
	return {
		code: code ?? -1,
		meaning: serverSide ? 'Server error' : 'Unknown error',
		httpStatus: httpStatus ?? 400,
		retry: serverSide ? 'retry' : 'stop',
		message: serverSide
			? 'The API failed temporarily: retried with backoff.'
			: 'The API rejected the request: see the details.',
	};
}
