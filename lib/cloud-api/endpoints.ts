import type { CloudApiCredentials, Provider } from './types';

/** The Graph API version used when a credential names none (Meta retires a version about two years after release). */
export const DEFAULT_GRAPH_API_VERSION = 'v24.0';

/** Where each provider lives and how it authenticates: data, so that adding a provider is one entry. */
export const providers: Record<
	Provider,
	{ defaultBaseUrl: string; authHeader: 'Authorization' | 'D360-API-KEY'; label: string }
> = {
	meta: {
		defaultBaseUrl: 'https://graph.facebook.com',
		authHeader: 'Authorization',
		label: 'Meta Cloud API',
	},
	'360dialog': {
		defaultBaseUrl: 'https://waba-v2.360dialog.io',
		authHeader: 'D360-API-KEY',
		label: '360dialog',
	},
	sandbox: {
		defaultBaseUrl: 'http://127.0.0.1:4010',
		authHeader: 'Authorization',
		label: 'Sandbox (local)',
	},
};

/** The credential's base URL, or its provider's default, without a trailing slash. */
export function resolveBaseUrl(
	credentials: Pick<CloudApiCredentials, 'provider' | 'baseUrl'>,
): string {
	const explicit = (credentials.baseUrl ?? '').trim();
	const base =
		explicit !== ''
			? explicit
			: (providers[credentials.provider]?.defaultBaseUrl ?? providers.meta.defaultBaseUrl);
	return base.replace(/\/+$/, '');
}

/** The auth header for a provider. Only `authenticate` of the credential and the fetch transport call this. */
export function authHeaders(provider: Provider, token: string): Record<string, string> {
	return providers[provider]?.authHeader === 'D360-API-KEY'
		? { 'D360-API-KEY': token }
		: { Authorization: `Bearer ${token}` };
}

type PathCredentials = Pick<
	CloudApiCredentials,
	'provider' | 'baseUrl' | 'apiVersion' | 'phoneNumberId' | 'wabaId'
>;

/**
 * URLs of the calls the package makes. 360dialog hosts one number per key and drops the version
 * and IDs from its paths; Meta and the sandbox use Graph API paths.
 */
export function endpoints(credentials: PathCredentials) {
	const base = resolveBaseUrl(credentials);
	const version = (credentials.apiVersion || DEFAULT_GRAPH_API_VERSION).replace(/^\/+|\/+$/g, '');
	const graph = (id: string, suffix = '') =>
		`${base}/${version}/${encodeURIComponent(id)}${suffix}`;
	if (credentials.provider === '360dialog') {
		return {
			messages: `${base}/messages`,
			media: `${base}/media`,
			templates: `${base}/v1/configs/templates`,
			// 360dialog mirrors the Graph phone-number fields on /health_status (fields=... are passed through).
			phoneNumber: `${base}/health_status`,
			subscribedApps: `${base}/v1/configs/webhook`,
			graphObject: (id: string) => `${base}/v1/configs/templates/${encodeURIComponent(id)}`,
		};
	}
	return {
		messages: graph(credentials.phoneNumberId, '/messages'),
		media: graph(credentials.phoneNumberId, '/media'),
		templates: graph(credentials.wabaId, '/message_templates'),
		phoneNumber: graph(credentials.phoneNumberId),
		subscribedApps: graph(credentials.wabaId, '/subscribed_apps'),
		/** GET / DELETE /{object-id} (a template, a media) */
		graphObject: (id: string) => graph(id),
	};
}
