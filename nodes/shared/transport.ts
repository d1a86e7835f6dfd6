import {
	NodeApiError,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type IWebhookFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { CloudApiClient, GraphApiError } from '../../lib/cloud-api/client';
import { redactSecrets } from '../../lib/cloud-api/redact';
import type { CloudApiCredentials, HttpCaller, Provider } from '../../lib/cloud-api/types';

export const CLOUD_API_CREDENTIAL = 'whatsAppCloudApi';

type Context = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/** Reads the credential's non-secret settings plus the secrets needed for scrubbing and webhook checks. */
export async function readCloudApiCredentials(ctx: Context): Promise<CloudApiCredentials> {
	const raw = await ctx.getCredentials(CLOUD_API_CREDENTIAL);
	return {
		provider: ((raw.provider as string) || 'meta') as Provider,
		baseUrl: String(raw.baseUrl ?? ''),
		apiVersion: String(raw.apiVersion || 'v24.0'),
		accessToken: String(raw.accessToken ?? ''),
		phoneNumberId: String(raw.phoneNumberId ?? ''),
		wabaId: String(raw.wabaId ?? ''),
		appSecret: raw.appSecret ? String(raw.appSecret) : undefined,
		verifyToken: raw.verifyToken ? String(raw.verifyToken) : undefined,
	};
}

/**
 * The HttpCaller of the core, on n8n's httpRequestWithAuthentication: n8n injects the auth header
 * (credential `authenticate`) and applies the instance's proxy settings.
 */
export function n8nHttp(ctx: Context): HttpCaller {
	return async (request) => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			qs: request.qs,
			body: request.body as IHttpRequestOptions['body'],
			...(request.headers ? { headers: request.headers } : {}),
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: request.timeoutMs ?? 30_000,
		};
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CLOUD_API_CREDENTIAL, options)) as {
			statusCode: number;
			body: unknown;
		};
		return { status: response.statusCode, body: response.body };
	};
}

export async function cloudApiClient(ctx: Context): Promise<{ client: CloudApiClient; credentials: CloudApiCredentials }> {
	const credentials = await readCloudApiCredentials(ctx);
	const client = new CloudApiClient(n8nHttp(ctx), { ...credentials, secrets: secretsOf(credentials) });
	return { client, credentials };
}

export function secretsOf(credentials: Partial<CloudApiCredentials>): string[] {
	return [credentials.accessToken, credentials.appSecret, credentials.verifyToken].filter((secret): secret is string => !!secret);
}

/**
 * A Graph API refusal as n8n's NodeApiError: Meta's code, details and fbtrace_id in the body, the catalogue's
 * fix as description. Built from our own scrubbed object, never from the HTTP request (whose headers hold the token).
 */
export function toNodeApiError(node: INode, error: GraphApiError, options: { itemIndex?: number; secrets?: string[] } = {}): NodeApiError {
	const body = error.toJSON();
	const scrub = (text: string) => redactSecrets(text, options.secrets ?? []);
	const details = error.details ? ` Details: ${error.details}` : '';
	const trace = error.fbtraceId ? ` (fbtrace_id ${error.fbtraceId})` : '';
	return new NodeApiError(node, JSON.parse(scrub(JSON.stringify(body))) as JsonObject, {
		message: scrub(`WhatsApp error ${error.code}: ${error.entry.meaning}`),
		description: scrub(`${error.entry.message}${details}${trace}`),
		httpCode: error.httpStatus ? String(error.httpStatus) : undefined,
		itemIndex: options.itemIndex,
	});
}

/** Any error on its way out of a node: Graph API refusals become NodeApiErrors with Meta's code and the fix. */
export function toNodeError(node: INode, error: unknown, options: { itemIndex?: number; secrets?: string[] } = {}): Error {
	return error instanceof GraphApiError ? toNodeApiError(node, error, options) : (error as Error);
}
