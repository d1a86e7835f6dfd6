import { describeError, type ErrorEntry } from './errors';
import { endpoints } from './endpoints';
import { redactSecrets } from './redact';
import type {
	CloudApiCredentials,
	GraphErrorBody,
	HttpCaller,
	MessageTemplate,
	PhoneNumberInfo,
	SendMessageResponse,
	UploadMediaResponse,
} from './types';
import { multipartBody } from './multipart';

/**
 * A Graph API refusal (or a transport failure), carrying Meta's code, details and trace id, and the catalogue's
 * advice.
 */
export class GraphApiError extends Error {
	readonly code: number;
	readonly subcode?: number;
	readonly httpStatus: number;
	readonly details?: string;
	readonly fbtraceId?: string;
	readonly type?: string;
	readonly entry: ErrorEntry;
	/** No answer arrived: the request may or may not have reached Meta. */
	readonly timedOut: boolean;

	constructor(init: {
		code: number;
		httpStatus: number;
		message: string;
		subcode?: number;
		details?: string;
		fbtraceId?: string;
		type?: string;
		timedOut?: boolean;
	}) {
		const entry = describeError(init.code, init.httpStatus);
		super(init.message);
		this.name = 'GraphApiError';
		this.code = init.code;
		this.subcode = init.subcode;
		this.httpStatus = init.httpStatus;
		this.details = init.details;
		this.fbtraceId = init.fbtraceId;
		this.type = init.type;
		this.timedOut = init.timedOut ?? false;
		this.entry = entry;
	}

	/** A JSON-safe view for output items and NodeApiError bodies: no request, no headers, no secrets. */
	toJSON() {
		return {
			code: this.code,
			...(this.subcode !== undefined ? { subcode: this.subcode } : {}),
			httpStatus: this.httpStatus,
			message: this.message,
			meaning: this.entry.meaning,
			fix: this.entry.message,
			retry: this.entry.retry,
			...(this.details ? { details: this.details } : {}),
			...(this.fbtraceId ? { fbtrace_id: this.fbtraceId } : {}),
			...(this.timedOut ? { timedOut: true } : {}),
		};
	}
}

/** Meta's answer to one message send (the delivery runner's own terms are delivery's SendResult). */
export type SendAnswer =
	| { ok: true; wamid: string; waId?: string; messageStatus: string }
	| { ok: false; error: GraphApiError };

export const TEMPLATE_FIELDS = [
	'id',
	'name',
	'language',
	'status',
	'category',
	'sub_category',
	'parameter_format',
	'components',
];
/** What list / get return for the template lifecycle (status, quality and why it was rejected). */
export const TEMPLATE_DETAIL_FIELDS = [...TEMPLATE_FIELDS, 'quality_score', 'rejected_reason'];
export const PHONE_FIELDS = [
	'id',
	'display_phone_number',
	'verified_name',
	'quality_rating',
	'throughput',
	'whatsapp_business_manager_messaging_limit',
];

type ClientCredentials = Pick<
	CloudApiCredentials,
	'provider' | 'baseUrl' | 'apiVersion' | 'phoneNumberId' | 'wabaId'
> & {
	/** Only used to scrub the token from error texts; authentication itself is the HttpCaller's job. */
	secrets?: Array<string | undefined>;
};

/**
 * The Cloud API calls the package makes, independent of n8n: the HttpCaller injects authentication
 * (n8n's httpRequestWithAuthentication in nodes, fetch in scripts).
 */
export class CloudApiClient {
	private readonly urls: ReturnType<typeof endpoints>;

	constructor(
		private readonly http: HttpCaller,
		private readonly credentials: ClientCredentials,
	) {
		this.urls = endpoints(credentials);
	}

	/** POST /{phone}/messages. Never throws for API refusals: the result says what happened. */
	async send(payload: object, options: { timeoutMs?: number } = {}): Promise<SendAnswer> {
		try {
			const body = (await this.call('POST', this.urls.messages, {
				body: payload,
				timeoutMs: options.timeoutMs,
			})) as SendMessageResponse;
			const message = body?.messages?.[0];
			if (!message?.id) {
				return {
					ok: false,
					error: new GraphApiError({
						code: 1,
						httpStatus: 200,
						message: 'The API accepted the request but returned no message id',
					}),
				};
			}
			return {
				ok: true,
				wamid: message.id,
				waId: body.contacts?.[0]?.wa_id,
				messageStatus: message.message_status ?? 'accepted',
			};
		} catch (error) {
			if (error instanceof GraphApiError) return { ok: false, error };
			throw error;
		}
	}

	/**
	 * POST /{phone}/media: uploads one file (multipart: messaging_product, type, file) and returns its media ID.
	 * Throws GraphApiError for refusals and transport failures.
	 */
	async uploadMedia(
		file: { data: Buffer; mimeType: string; fileName?: string },
		options: { timeoutMs?: number } = {},
	): Promise<string> {
		const { body, contentType } = await multipartBody(
			{ messaging_product: 'whatsapp', type: file.mimeType },
			{ field: 'file', data: file.data, mimeType: file.mimeType, fileName: file.fileName },
		);
		const answer = (await this.call('POST', this.urls.media, {
			body,
			headers: { 'content-type': contentType },
			timeoutMs: options.timeoutMs ?? 120_000,
		})) as UploadMediaResponse;
		if (typeof answer?.id !== 'string' || answer.id === '') {
			throw new GraphApiError({
				code: 1,
				httpStatus: 200,
				message: 'The API accepted the upload but returned no media id',
			});
		}
		return answer.id;
	}

	/** Every template of the WABA (all pages), optionally only one status. */
	async listTemplates(
		options: { status?: string; name?: string; fields?: string[]; pageSize?: number } = {},
	): Promise<MessageTemplate[]> {
		const templates: MessageTemplate[] = [];
		const pageSize = options.pageSize ?? 100;
		let after: string | undefined;
		let offset = 0;
		for (let page = 0; page < 1000; page++) {
			const qs: Record<string, string | number> = { limit: pageSize };
			if (this.credentials.provider === '360dialog') {
				// 360dialog pages by offset and answers {waba_templates, count, total}.
				qs.offset = offset;
			} else {
				qs.fields = (options.fields ?? TEMPLATE_FIELDS).join(',');
				if (options.status) qs.status = options.status;
				if (options.name) qs.name = options.name;
				// Follow cursors ourselves: Meta's paging.next links can embed the access token.
				if (after) qs.after = after;
			}
			const body = (await this.call('GET', this.urls.templates, { qs })) as {
				data?: MessageTemplate[];
				waba_templates?: MessageTemplate[];
				total?: number;
				paging?: { cursors?: { after?: string }; next?: string };
			};
			const batch = body.data ?? body.waba_templates ?? [];
			templates.push(...batch);
			if (batch.length === 0) break;
			if (body.waba_templates) {
				offset += batch.length;
				if (body.total === undefined || offset >= body.total) break;
				continue;
			}
			after = body.paging?.next ? body.paging?.cursors?.after : undefined;
			if (!after) break;
		}
		return templates.filter(
			(template) =>
				(!options.status || template.status === options.status) &&
				(!options.name || template.name === options.name),
		);
	}

	/** POST /{waba}/message_templates: submits a template for review; Meta answers its id, status and category. */
	async createTemplate(request: object): Promise<{ id: string; status: string; category: string }> {
		return (await this.call('POST', this.urls.templates, { body: request })) as {
			id: string;
			status: string;
			category: string;
		};
	}

	/** GET /{template-id} */
	async getTemplate(
		id: string,
		fields: string[] = TEMPLATE_DETAIL_FIELDS,
	): Promise<MessageTemplate> {
		return (await this.call('GET', this.urls.graphObject(id), {
			qs: { fields: fields.join(',') },
		})) as MessageTemplate;
	}

	/** DELETE /{waba}/message_templates?name=…: every language of the name, or only the one whose id is `hsmId`. */
	async deleteTemplate(name: string, hsmId?: string): Promise<void> {
		await this.call('DELETE', this.urls.templates, {
			qs: { name, ...(hsmId ? { hsm_id: hsmId } : {}) },
		});
	}

	async getPhoneNumberInfo(fields: string[] = PHONE_FIELDS): Promise<PhoneNumberInfo> {
		return (await this.call('GET', this.urls.phoneNumber, {
			qs: { fields: fields.join(',') },
		})) as PhoneNumberInfo;
	}

	/**
	 * Subscribe the app to the WABA's webhooks, optionally overriding the callback URL (many apps / triggers per
	 * WABA).
	 */
	async subscribeApp(override?: { callbackUrl: string; verifyToken: string }): Promise<void> {
		const body = override
			? { override_callback_uri: override.callbackUrl, verify_token: override.verifyToken }
			: {};
		await this.call('POST', this.urls.subscribedApps, { body });
	}

	async unsubscribeApp(): Promise<void> {
		await this.call('DELETE', this.urls.subscribedApps, {});
	}

	async listSubscribedApps(): Promise<
		Array<{
			whatsapp_business_api_data?: { id?: string; name?: string };
			override_callback_uri?: string;
		}>
	> {
		const body = (await this.call('GET', this.urls.subscribedApps, {})) as { data?: [] };
		return body.data ?? [];
	}

	private async call(
		method: 'GET' | 'POST' | 'DELETE',
		url: string,
		options: {
			qs?: Record<string, string | number>;
			body?: unknown;
			headers?: Record<string, string>;
			timeoutMs?: number;
		},
	): Promise<unknown> {
		let response;
		try {
			response = await this.http({
				method,
				url,
				qs: options.qs,
				body: options.body,
				headers: options.headers,
				timeoutMs: options.timeoutMs,
			});
		} catch (error) {
			throw this.transportError(error);
		}
		if (response.status >= 200 && response.status < 300) return response.body;
		throw this.apiError(response.status, response.body);
	}

	private apiError(httpStatus: number, body: unknown): GraphApiError {
		const parsed = typeof body === 'string' ? safeJson(body) : body;
		const error = (parsed as { error?: GraphErrorBody } | undefined)?.error;
		const scrub = (text: string | undefined) =>
			text === undefined ? undefined : redactSecrets(text, this.credentials.secrets ?? []);
		if (!error || typeof error.code !== 'number') {
			const code =
				httpStatus >= 500 ? 131016 : httpStatus === 401 ? 190 : httpStatus === 429 ? 4 : 1;
			return new GraphApiError({
				code,
				httpStatus,
				message: scrub(`HTTP ${httpStatus} without a Graph API error body`)!,
			});
		}
		return new GraphApiError({
			code: error.code,
			subcode: error.error_subcode,
			httpStatus,
			message: scrub(error.message) ?? `Graph API error ${error.code}`,
			details: scrub(
				error.error_data?.details ??
					(error.error_user_msg
						? `${error.error_user_title ? `${error.error_user_title}: ` : ''}${error.error_user_msg}`
						: undefined),
			),
			fbtraceId: error.fbtrace_id,
			type: error.type,
		});
	}

	private transportError(error: unknown): GraphApiError {
		const text = String((error as Error)?.message ?? error);
		const code = String((error as { code?: string })?.code ?? '');
		const timedOut = /timeout|timed out|ETIMEDOUT|ECONNABORTED|aborted/i.test(text + ' ' + code);
		// A reset after sending may have reached Meta as well: treat it like a timeout (uncertain), never as "not sent".
		const uncertain = timedOut || /ECONNRESET|socket hang up/i.test(text + ' ' + code);
		return new GraphApiError({
			code: 131016,
			httpStatus: 0,
			message: redactSecrets(
				uncertain
					? `No answer from the API (${timedOut ? 'timeout' : 'connection reset'})`
					: `Could not reach the API: ${text}`,
				this.credentials.secrets ?? [],
			),
			timedOut: uncertain,
		});
	}
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
