import type { ICredentialTestFunctions } from 'n8n-workflow';

import { WhatsAppCloudApi } from '../../credentials/WhatsAppCloudApi.credentials';
import { cloudApiCredentialTest } from '../../nodes/common/transport';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { sandboxCredentials } from '../helpers/sandbox-credentials';

const credential = new WhatsAppCloudApi();

describe('WhatsApp Cloud API credential', () => {
	it('injects a Bearer token for Meta and the sandbox', async () => {
		for (const provider of ['meta', 'sandbox']) {
			const options = await credential.authenticate(
				{ provider, accessToken: 'tok-1234' },
				{ url: 'x', headers: { accept: 'json' } },
			);
			expect(options.headers).toEqual({ accept: 'json', Authorization: 'Bearer tok-1234' });
		}
	});

	it('injects D360-API-KEY (and no Authorization) for 360dialog', async () => {
		const options = await credential.authenticate(
			{ provider: '360dialog', accessToken: 'key-5678' },
			{ url: 'x' },
		);
		expect(options.headers).toEqual({ 'D360-API-KEY': 'key-5678' });
	});

	it('keeps the token, the app secret and the Verify Token in password fields', () => {
		const byName = new Map(credential.properties.map((property) => [property.name, property]));
		expect(byName.get('accessToken')?.typeOptions?.password).toBe(true);
		expect(byName.get('appSecret')?.typeOptions?.password).toBe(true);
		expect(byName.get('verifyToken')?.typeOptions?.password).toBe(true);
	});

	it('has a display name that tells it apart from n8n\'s own "WhatsApp API"', () => {
		expect(credential.displayName).toBe('WhatsApp HSM Cloud API');
	});
});

describe('the credential\'s "Test" (cloudApiCredentialTest) against the sandbox', () => {
	let sandbox: RunningSandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0 });
	});
	afterAll(() => sandbox.stop());

	const test = (overrides: Record<string, string>) =>
		cloudApiCredentialTest.call({} as ICredentialTestFunctions, {
			id: '1',
			name: 'test',
			type: 'whatsAppCloudApi',
			data: { ...sandboxCredentials(sandbox.url).whatsAppCloudApi, ...overrides },
		});

	it('says which number it reached', async () => {
		const result = await test({});
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(/^Connected: /);
	});

	it("a refused token names Access Token and quotes Meta's message and code, never the token", async () => {
		const result = await test({ accessToken: 'wrong-token-123' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Access Token — Meta says: ".+" \(code 190/);
		expect(result.message).not.toContain('wrong-token-123');
	});

	it('an unknown phone number ID names Phone Number ID', async () => {
		const result = await test({ phoneNumberId: '999999999' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Phone Number ID — Meta says: ".+" \(code 100/);
	});

	it('empty fields and an unreachable base URL name the field', async () => {
		expect((await test({ accessToken: '' })).message).toMatch(/^Access Token is empty/);
		expect((await test({ phoneNumberId: '' })).message).toMatch(/^Phone Number ID is empty/);
		expect((await test({ baseUrl: 'http://127.0.0.1:9' })).message).toMatch(
			/^Base URL — http:\/\/127\.0\.0\.1:9 cannot be reached/,
		);
	});
});
