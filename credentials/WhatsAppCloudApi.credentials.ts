import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { authHeaders, DEFAULT_GRAPH_API_VERSION } from '../lib/cloud-api/endpoints';
import type { Provider } from '../lib/cloud-api/types';

export class WhatsAppCloudApi implements ICredentialType {
	name = 'whatsAppCloudApi';

	displayName = 'WhatsApp HSM Cloud API';

	documentationUrl = 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started';

	icon = {
		light: 'file:../nodes/common/whatsapp.svg',
		dark: 'file:../nodes/common/whatsapp.dark.svg',
	} as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Provider',
			name: 'provider',
			type: 'options',
			options: [
				{
					name: 'Meta Cloud API',
					value: 'meta',
					description: 'graph.facebook.com with a System User access token',
				},
				{
					name: '360dialog',
					value: '360dialog',
					description: 'waba-v2.360dialog.io with a D360 API key',
				},
				{
					name: 'Sandbox (Local Rehearsal)',
					value: 'sandbox',
					description: "This package's local Cloud API sandbox (npm run sandbox)",
				},
			],
			default: 'meta',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://graph.facebook.com',
			description:
				"Leave empty to use the provider's URL (Meta: https://graph.facebook.com, 360dialog: https://waba-v2.360dialog.io, Sandbox: http://127.0.0.1:4010)",
		},
		{
			displayName: 'Graph API Version',
			name: 'apiVersion',
			type: 'string',
			default: DEFAULT_GRAPH_API_VERSION,
			description:
				'Meta retires versions about two years after release: update this when Meta announces a new one',
			displayOptions: { hide: { provider: ['360dialog'] } },
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Meta: a permanent System User token with whatsapp_business_messaging and whatsapp_business_management. 360dialog: the D360 API key of the number. Sandbox: the sandbox token (default sandbox-token).',
		},
		{
			displayName: 'Phone Number ID',
			name: 'phoneNumberId',
			type: 'string',
			default: '',
			required: true,
			description:
				'The ID of the business phone number (WhatsApp Manager → Phone numbers), not the number itself',
		},
		{
			displayName: 'WhatsApp Business Account ID',
			name: 'wabaId',
			type: 'string',
			default: '',
			description: 'Needed to list templates and to register webhooks',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The Meta app's secret (App settings → Basic). The WhatsApp Trigger uses it to verify X-Hub-Signature-256 on every webhook.",
		},
		{
			displayName: 'Webhook Verify Token',
			name: 'verifyToken',
			type: 'string',
			// Masked like every secret (n8n's credential-password-field rule): the user chooses it, so they can paste
			// the same value into Meta from where they made it.
			typeOptions: { password: true },
			default: '',
			description:
				'Any string you choose (e.g. a long random word). Paste the same value as "Verify token" in the Meta app (WhatsApp → Configuration → Webhook). n8n hides it once saved: keep a copy, or type a new one here and in Meta.',
		},
	];

	/** Bearer token for Meta and the sandbox, D360-API-KEY for 360dialog; injected by n8n, never by the nodes. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers = authHeaders(
			(credentials.provider as Provider) ?? 'meta',
			String(credentials.accessToken ?? ''),
		);
		return { ...requestOptions, headers: { ...(requestOptions.headers ?? {}), ...headers } };
	}

	// "Test" is the nodes' credentialTest (nodes/common/transport.ts, cloudApiCredentialTest): it names the field
	// to fix and quotes Meta's message and code, which a declarative `test` request cannot.
}
