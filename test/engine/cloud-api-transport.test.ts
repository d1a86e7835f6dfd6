import { CloudApiClient } from '../../lib/cloud-api/client';
import { fetchHttp } from '../../lib/cloud-api/fetch-http';
import type { Provider } from '../../lib/cloud-api/types';
import { startSandbox, type RunningSandbox } from '../../sandbox';

let sandbox: RunningSandbox;
beforeAll(async () => {
	sandbox = await startSandbox({
		d360ApiKey: 'd360-key-123456',
		throughputMps: 1000,
		qualityRating: 'GREEN',
		messagingLimitTier: 'TIER_2K',
	});
});
afterAll(() => sandbox.stop());

function client(provider: Provider, token: string) {
	return new CloudApiClient(fetchHttp({ provider, accessToken: token }), {
		provider,
		baseUrl: sandbox.url,
		apiVersion: 'v24.0',
		phoneNumberId: '1000000001',
		wabaId: '2000000001',
		secrets: [token],
	});
}

describe('Cloud API transport against the sandbox (real HTTP)', () => {
	it('lists every template across cursor pages (Meta), with the chosen fields', async () => {
		const all = await client('meta', 'sandbox-token').listTemplates({ pageSize: 3 });
		const catalogue = sandbox.control.templates();
		expect(all).toHaveLength(catalogue.length);
		expect(new Set(all.map((t) => `${t.name}/${t.language}`))).toEqual(
			new Set(catalogue.map((t) => `${t.name}/${t.language}`)),
		);
		expect(Object.keys(all[0]).sort()).toEqual(
			expect.arrayContaining(['name', 'language', 'status', 'category', 'components']),
		);
		const approved = await client('meta', 'sandbox-token').listTemplates({
			status: 'APPROVED',
			pageSize: 5,
		});
		expect(approved.every((t) => t.status === 'APPROVED')).toBe(true);
		expect(approved.length).toBeLessThan(all.length);
	});

	it('lists every template across offset pages (360dialog, D360-API-KEY)', async () => {
		const all = await client('360dialog', 'd360-key-123456').listTemplates({ pageSize: 4 });
		expect(all).toHaveLength(sandbox.control.templates().length);
	});

	it('reads throughput, quality and messaging tier of the number', async () => {
		const info = await client('meta', 'sandbox-token').getPhoneNumberInfo();
		expect(info).toMatchObject({
			id: '1000000001',
			quality_rating: 'GREEN',
			whatsapp_business_manager_messaging_limit: 'TIER_2K',
		});
		expect(info.throughput?.level).toBe('HIGH'); // 1,000 mps
	});

	it('reports a wrong token as 190 with the fix, and never echoes the token', async () => {
		const result = await client('meta', 'wrong-token-abcdef').send({
			messaging_product: 'whatsapp',
			to: '5491155551234',
			type: 'text',
			text: { body: 'x' },
		});
		expect(result.ok).toBe(false);
		const error = (
			result as {
				error: { code: number; httpStatus: number; entry: { retry: string }; toJSON(): object };
			}
		).error;
		expect(error.httpStatus).toBe(401);
		expect([190, 0]).toContain(error.code);
		expect(error.entry.retry).toBe('stop');
		expect(JSON.stringify(error.toJSON())).not.toContain('wrong-token-abcdef');
	});

	it('subscribes the app with an override callback and removes the override', async () => {
		const api = client('meta', 'sandbox-token');
		const receiver = await import('node:http').then(({ createServer }) => {
			const server = createServer((req, res) => {
				const url = new URL(req.url ?? '/', 'http://x');
				res.end(url.searchParams.get('hub.challenge') ?? '');
			});
			return new Promise<import('node:http').Server>((resolve) =>
				server.listen(0, '127.0.0.1', () => resolve(server)),
			);
		});
		const port = (receiver.address() as import('node:net').AddressInfo).port;
		const callbackUrl = `http://127.0.0.1:${port}/webhook`;
		try {
			await api.subscribeApp({ callbackUrl, verifyToken: 'vt-123' });
			expect(
				(await api.listSubscribedApps()).some((app) => app.override_callback_uri === callbackUrl),
			).toBe(true);
			await api.subscribeApp();
			expect(
				(await api.listSubscribedApps()).some((app) => app.override_callback_uri === callbackUrl),
			).toBe(false);
		} finally {
			receiver.close();
		}
	});
});

describe('360dialog phone-number check', () => {
	it('reads the number through /health_status with D360-API-KEY (what the credential test calls)', async () => {
		const info = await client('360dialog', 'd360-key-123456').getPhoneNumberInfo();
		expect(info).toMatchObject({ id: '1000000001', quality_rating: 'GREEN' });
		expect(
			(info as unknown as { health_status: { can_send_message: string } }).health_status
				.can_send_message,
		).toBe('AVAILABLE');
		const refused = await fetch(`${sandbox.url}/health_status`, {
			headers: { 'D360-API-KEY': 'wrong' },
		});
		expect(refused.status).toBe(401);
	});
});
