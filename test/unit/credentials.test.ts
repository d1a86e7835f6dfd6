import { Workflow, type INodeTypes } from 'n8n-workflow';

import { WhatsAppCloudApi } from '../../credentials/WhatsAppCloudApi.credentials';

const credential = new WhatsAppCloudApi();

/** Resolves the credential test's expressions the way n8n does for the editor's "Test" button. */
function resolveTest(data: Record<string, string>) {
	const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes: {} as INodeTypes });
	// n8n's CredentialsHelper resolves test requests with $credentials as an additional key.
	const resolve = (value: string) => workflow.expression.getParameterValue(value, null, 0, 0, 'test', [], 'manual', { $credentials: data } as never) as string;
	const request = credential.test.request;
	return { baseURL: resolve(request.baseURL as string), url: resolve(request.url as string), qs: request.qs };
}

describe('WhatsApp Cloud API credential', () => {
	it('injects a Bearer token for Meta and the sandbox', async () => {
		for (const provider of ['meta', 'sandbox']) {
			const options = await credential.authenticate({ provider, accessToken: 'tok-1234' }, { url: 'x', headers: { accept: 'json' } });
			expect(options.headers).toEqual({ accept: 'json', Authorization: 'Bearer tok-1234' });
		}
	});

	it('injects D360-API-KEY (and no Authorization) for 360dialog', async () => {
		const options = await credential.authenticate({ provider: '360dialog', accessToken: 'key-5678' }, { url: 'x' });
		expect(options.headers).toEqual({ 'D360-API-KEY': 'key-5678' });
	});

	it('tests Meta credentials against the phone-number endpoint of the configured version', () => {
		const request = resolveTest({ provider: 'meta', baseUrl: '', apiVersion: 'v24.0', phoneNumberId: '1000000001' });
		expect(request.baseURL).toBe('https://graph.facebook.com');
		expect(request.url).toBe('/v24.0/1000000001');
		expect(request.qs).toEqual({ fields: 'id,display_phone_number,verified_name,quality_rating' });
	});

	it('tests 360dialog credentials against its health_status endpoint', () => {
		const request = resolveTest({ provider: '360dialog', baseUrl: '', apiVersion: '', phoneNumberId: '' });
		expect(request.baseURL).toBe('https://waba-v2.360dialog.io');
		expect(request.url).toBe('/health_status');
	});

	it('uses an overridden base URL (sandbox on another port) without a trailing slash', () => {
		const request = resolveTest({ provider: 'sandbox', baseUrl: 'http://127.0.0.1:4999/', apiVersion: 'v23.0', phoneNumberId: '42' });
		expect(request.baseURL).toBe('http://127.0.0.1:4999');
		expect(request.url).toBe('/v23.0/42');
	});

	it('keeps every secret in a password field', () => {
		const secrets = credential.properties.filter((property) => ['accessToken', 'appSecret', 'verifyToken'].includes(property.name));
		expect(secrets).toHaveLength(3);
		for (const property of secrets) expect(property.typeOptions?.password).toBe(true);
	});
});
