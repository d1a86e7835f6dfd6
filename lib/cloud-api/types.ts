/**
 * Shapes shared by the transport, the sandbox, the template builder and the nodes.
 * They follow Meta's Graph API JSON as documented (docs/meta-cloud-api.md), so that a
 * template read from the API, from the sandbox catalogue or from a test fixture is the same value.
 */

export type Provider = 'meta' | '360dialog' | 'sandbox';

/** The decrypted "WhatsApp Cloud API" credential, as the nodes and scripts see it. */
export interface CloudApiCredentials {
	provider: Provider;
	/** Base URL without trailing slash, e.g. https://graph.facebook.com or http://127.0.0.1:4010 */
	baseUrl: string;
	/** Graph API version, e.g. v24.0 (ignored by 360dialog, which has no version in its paths) */
	apiVersion: string;
	accessToken: string;
	phoneNumberId: string;
	wabaId: string;
	appSecret?: string;
	verifyToken?: string;
}

export type TemplateStatus =
	| 'APPROVED'
	| 'PENDING'
	| 'REJECTED'
	| 'PAUSED'
	| 'DISABLED'
	| 'FLAGGED'
	| 'IN_APPEAL'
	| 'LIMIT_EXCEEDED'
	| 'LOCKED'
	| 'REINSTATED'
	| 'PENDING_DELETION'
	| 'DELETED'
	| 'ARCHIVED';

export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

/** A button of a template definition, as Meta returns it. */
export interface TemplateButton {
	type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | 'FLOW' | 'CATALOG' | 'OTP' | string;
	text?: string;
	url?: string;
	phone_number?: string;
	example?: string[] | string;
	flow_id?: string;
	flow_action?: string;
	navigate_screen?: string;
}

/** A component (header, body, footer, buttons) of a template definition, as Meta returns it. */
export interface TemplateComponent {
	type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
	format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
	text?: string;
	buttons?: TemplateButton[];
	example?: {
		header_text?: string[];
		header_handle?: string[];
		body_text?: string[][];
		header_text_named_params?: Array<{ param_name: string; example: string }>;
		body_text_named_params?: Array<{ param_name: string; example: string }>;
	};
}

/** One template in one language, as GET /{waba}/message_templates returns it. */
export interface MessageTemplate {
	id: string;
	name: string;
	language: string;
	status: TemplateStatus;
	category: TemplateCategory;
	sub_category?: string;
	parameter_format?: 'POSITIONAL' | 'NAMED';
	components: TemplateComponent[];
	/** NONE, INVALID_FORMAT, INCORRECT_CATEGORY, PROMOTIONAL… (asked for with fields=rejected_reason) */
	rejected_reason?: string;
	/** GREEN, YELLOW, RED or UNKNOWN (fields=quality_score) */
	quality_score?: { score: string; date?: number };
}

/** Graph API error body: {"error": {...}} */
export interface GraphErrorBody {
	message: string;
	type?: string;
	code: number;
	error_subcode?: number;
	error_data?: { messaging_product?: string; details?: string };
	/** Management API refusals (template creation) explain themselves here instead of error_data */
	error_user_title?: string;
	error_user_msg?: string;
	fbtrace_id?: string;
}

/** Response of POST /{phone}/messages */
export interface SendMessageResponse {
	messaging_product: 'whatsapp';
	contacts: Array<{ input: string; wa_id: string }>;
	messages: Array<{
		id: string;
		message_status?: 'accepted' | 'held_for_quality_assessment' | 'paused';
	}>;
}

/** Response of POST /{phone}/media */
export interface UploadMediaResponse {
	id: string;
}

/** GET /{phone}?fields=throughput,quality_rating,whatsapp_business_manager_messaging_limit,... */
export interface PhoneNumberInfo {
	id: string;
	display_phone_number?: string;
	verified_name?: string;
	quality_rating?: 'GREEN' | 'YELLOW' | 'RED' | 'NA' | string;
	throughput?: { level: string };
	whatsapp_business_manager_messaging_limit?: string;
}

/**
 * The one HTTP capability the core needs. Nodes implement it with n8n's
 * httpRequestWithAuthentication (credential injection, proxy); scripts and the
 * benchmarks implement it with fetch. It never throws on HTTP status: callers map errors.
 */
export interface HttpRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** Absolute URL */
	url: string;
	qs?: Record<string, string | number>;
	/** JSON-serialisable, or raw bytes (a Buffer) sent as they are with `headers['content-type']` */
	body?: unknown;
	/** Extra headers (never authentication: the caller injects that) */
	headers?: Record<string, string>;
	timeoutMs?: number;
}

/** What an HttpCaller returns: the status and the parsed body. */
export interface HttpResponse {
	status: number;
	body: unknown;
}

export type HttpCaller = (request: HttpRequest) => Promise<HttpResponse>;
