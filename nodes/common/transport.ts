import {
	NodeApiError,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type INodeCredentialTestResult,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type IWebhookFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { CloudApiClient, GraphApiError } from '../../lib/cloud-api/client';
import { DEFAULT_GRAPH_API_VERSION, resolveBaseUrl } from '../../lib/cloud-api/endpoints';
import { fetchHttp } from '../../lib/cloud-api/fetch-http';
import { pooledHttp } from '../../lib/cloud-api/pooled-http';
import { redactSecrets } from '../../lib/cloud-api/redact';
import type { CloudApiCredentials, HttpCaller, Provider } from '../../lib/cloud-api/types';

export const CLOUD_API_CREDENTIAL = 'whatsAppCloudApi';

type Context = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/** Reads the credential's non-secret settings plus the secrets needed for scrubbing and webhook checks. */
export async function readCloudApiCredentials(ctx: Context): Promise<CloudApiCredentials> {
	return cloudApiCredentialsFrom(await ctx.getCredentials(CLOUD_API_CREDENTIAL));
}

/** The credential's decrypted values as the package's CloudApiCredentials. */
export function cloudApiCredentialsFrom(raw: ICredentialDataDecryptedObject): CloudApiCredentials {
	return {
		provider: ((raw.provider as string) || 'meta') as Provider,
		baseUrl: String(raw.baseUrl ?? ''),
		apiVersion: String(raw.apiVersion || DEFAULT_GRAPH_API_VERSION),
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
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CLOUD_API_CREDENTIAL,
			options,
		)) as {
			statusCode: number;
			body: unknown;
		};
		return { status: response.statusCode, body: response.body };
	};
}

export async function cloudApiClient(
	ctx: Context,
): Promise<{ client: CloudApiClient; credentials: CloudApiCredentials }> {
	const credentials = await readCloudApiCredentials(ctx);
	const client = new CloudApiClient(n8nHttp(ctx), {
		...credentials,
		secrets: secretsOf(credentials),
	});
	return { client, credentials };
}

/**
 * Bulk Campaign's client: the credential is read once per execution and every call goes through one keep-alive
 * pool (lib/cloud-api/pooled-http.ts, which honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY like n8n). Profiling n8n
 * showed httpRequestWithAuthentication (a credential decryption, `authenticate` and axios per request) taking
 * most of n8n's CPU at 1,000 msg/s. Every other call of the package keeps n8n's authenticated path.
 * `close()` ends the pool's sockets; call it when the execution's sends are done.
 */
export async function campaignClient(
	ctx: IExecuteFunctions,
): Promise<{ client: CloudApiClient; credentials: CloudApiCredentials; close: () => void }> {
	const credentials = await readCloudApiCredentials(ctx);
	const pool = pooledHttp(credentials);
	const client = new CloudApiClient(pool.http, { ...credentials, secrets: secretsOf(credentials) });
	return { client, credentials, close: pool.close };
}

export function secretsOf(credentials: Partial<CloudApiCredentials>): string[] {
	return [credentials.accessToken, credentials.appSecret, credentials.verifyToken].filter(
		(secret): secret is string => !!secret,
	);
}

/**
 * A Graph API refusal as n8n's NodeApiError: Meta's code, details and fbtrace_id in the body, the catalogue's
 * fix as description. Built from our own scrubbed object, never from the HTTP request (whose headers hold the token).
 */
export function toNodeApiError(
	node: INode,
	error: GraphApiError,
	options: { itemIndex?: number; secrets?: string[] } = {},
): NodeApiError {
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

/**
 * Any error on its way out of a node, as one of n8n's node errors (so the editor shows the node, item and fix):
 * Graph API refusals become NodeApiErrors with Meta's code and the fix; n8n's own node errors pass unchanged;
 * anything else (a store or file failure) is wrapped in a NodeOperationError that keeps its message.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	options: { itemIndex?: number; secrets?: string[] } = {},
): NodeApiError | NodeOperationError {
	if (error instanceof GraphApiError) return toNodeApiError(node, error, options);
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const cause = error instanceof Error ? error : new Error(String(error));
	const message = redactSecrets(cause.message, options.secrets ?? []);
	return new NodeOperationError(node, message, { itemIndex: options.itemIndex });
}

export const CLOUD_API_CREDENTIAL_TEST = 'whatsAppCloudApiConnectionTest';

/** Which credential field a Meta refusal of the test read points at. */
function fieldFor(error: GraphApiError): string {
	if (error.code === 190 || error.httpStatus === 401) return 'Access Token';
	if (error.code === 10 || error.code === 200 || error.httpStatus === 403)
		return 'Access Token (its permissions)';
	if (error.code === 100 || error.httpStatus === 404) return 'Phone Number ID';
	return 'Access Token and Phone Number ID';
}

/**
 * `methods.credentialTest[CLOUD_API_CREDENTIAL_TEST]`, the editor's "Test" of the WhatsApp HSM Cloud API
 * credential: reads the phone number (token, phone number ID and base URL at once) and, when Meta refuses, names
 * the field to fix with Meta's own message and code. A declarative `test` could only say "Unauthorized".
 */
export async function cloudApiCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const credentials: CloudApiCredentials = {
		provider: ((data.provider as string) || 'meta') as Provider,
		baseUrl: String(data.baseUrl ?? ''),
		apiVersion: String(data.apiVersion || DEFAULT_GRAPH_API_VERSION),
		accessToken: String(data.accessToken ?? ''),
		phoneNumberId: String(data.phoneNumberId ?? ''),
		wabaId: String(data.wabaId ?? ''),
	};
	const secrets = secretsOf({
		...credentials,
		appSecret: data.appSecret as string,
		verifyToken: data.verifyToken as string,
	});
	const scrub = (text: string) => redactSecrets(text, secrets);
	if (!credentials.accessToken)
		return {
			status: 'Error',
			message: 'Access Token is empty: paste the System User token (360dialog: the API key)',
		};
	if (!credentials.phoneNumberId && credentials.provider !== '360dialog') {
		return {
			status: 'Error',
			message:
				'Phone Number ID is empty: copy it from WhatsApp Manager → Phone numbers (the ID, not the number)',
		};
	}
	const base = resolveBaseUrl(credentials);
	const client = new CloudApiClient(fetchHttp(credentials, { timeoutMs: 15_000 }), {
		...credentials,
		secrets,
	});
	try {
		const info = await client.getPhoneNumberInfo([
			'id',
			'display_phone_number',
			'verified_name',
			'quality_rating',
		]);
		return {
			status: 'OK',
			message: scrub(
				`Connected: ${info.verified_name ?? ''} ${info.display_phone_number ?? ''}`
					.replace(/\s+/g, ' ')
					.trim(),
			),
		};
	} catch (error) {
		if (error instanceof GraphApiError && error.httpStatus === 0) {
			return {
				status: 'Error',
				message: scrub(
					`Base URL — ${base} cannot be reached: ${error.message}. Leave Base URL empty for the provider's own URL.`,
				),
			};
		}
		if (error instanceof GraphApiError) {
			const trace = error.fbtraceId ? `, fbtrace_id ${error.fbtraceId}` : '';
			return {
				status: 'Error',
				message: scrub(
					`${fieldFor(error)} — Meta says: "${error.message}" (code ${error.code}${error.subcode ? `/${error.subcode}` : ''}, HTTP ${error.httpStatus}${trace}). ${error.entry.message}`,
				),
			};
		}
		const cause = (error as { cause?: { code?: string } }).cause?.code;
		return {
			status: 'Error',
			message: scrub(
				`Base URL — ${base} cannot be reached${cause ? ` (${cause})` : ''}: ${(error as Error).message}. Leave Base URL empty for the provider's own URL.`,
			),
		};
	}
}
