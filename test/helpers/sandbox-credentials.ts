import { SANDBOX_DEFAULTS } from '../../sandbox';

/** A WhatsApp Cloud API credential (provider Sandbox) pointing at a running sandbox, with its default IDs and secrets. */
export function sandboxCredentials(baseUrl: string, overrides: Record<string, string> = {}) {
	return {
		whatsAppCloudApi: {
			provider: 'sandbox',
			baseUrl,
			apiVersion: 'v24.0',
			accessToken: SANDBOX_DEFAULTS.accessToken,
			phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
			wabaId: SANDBOX_DEFAULTS.wabaId,
			appSecret: SANDBOX_DEFAULTS.appSecret,
			...overrides,
		},
	};
}
