import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { cloudApiClient, secretsOf, toNodeApiError } from '../../nodes/common/transport';
import { afterInputItems, runWorkflow } from '../helpers/engine';

/** A test-only node that calls the Cloud API through our transport, the way every node of the package does. */
class GraphProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Graph Probe',
		name: 'graphProbe',
		group: ['output'],
		version: 1,
		description: 'test',
		defaults: { name: 'Graph Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'whatsAppCloudApi', required: true }],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { client, credentials } = await cloudApiClient(this);
		const out: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			const result = await client.send({
				messaging_product: 'whatsapp',
				to: items[i].json.to,
				type: 'text',
				text: { body: 'hi' },
			});
			if (!result.ok) {
				const error = toNodeApiError(this.getNode(), result.error, {
					itemIndex: i,
					secrets: secretsOf(credentials),
				});
				if (this.continueOnFail()) {
					out.push({
						json: { error: error.message, description: error.description ?? '' },
						pairedItem: { item: i },
					});
					continue;
				}
				throw error;
			}
			out.push({ json: { wamid: result.wamid }, pairedItem: { item: i } });
		}
		return [out];
	}
}

const TOKEN = 'EAAG-super-secret-token-123456';
let server: Server;
let url: string;
const seen: Array<{ path: string; headers: IncomingMessage['headers'] }> = [];

beforeAll(async () => {
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			seen.push({ path: req.url ?? '', headers: req.headers });
			const to = body ? (JSON.parse(body) as { to: string }).to : '';
			res.setHeader('content-type', 'application/json');
			if (to === 'closed') {
				res.statusCode = 400;
				// Meta's real 131047 body (the message echoes nothing secret; we add the token to prove scrubbing).
				res.end(
					JSON.stringify({
						error: {
							message: `(#131047) Re-engagement message ${TOKEN}`,
							type: 'OAuthException',
							code: 131047,
							error_data: {
								messaging_product: 'whatsapp',
								details:
									'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
							},
							fbtrace_id: 'AbCdEf123',
						},
					}),
				);
				return;
			}
			res.end(
				JSON.stringify({
					messaging_product: 'whatsapp',
					contacts: [{ input: to, wa_id: to }],
					messages: [{ id: `wamid.${to}` }],
				}),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (seen.length = 0));

function workflow(items: object[], continueOnFail = false) {
	return afterInputItems(
		{
			id: '2',
			name: 'Graph Probe',
			type: 'test.graphProbe',
			typeVersion: 1,
			position: [200, 0],
			parameters: {},
			...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
		items,
	);
}

const credentials = (provider: string) => ({
	whatsAppCloudApi: {
		provider,
		baseUrl: url,
		apiVersion: 'v24.0',
		accessToken: TOKEN,
		phoneNumberId: '1000000001',
		wabaId: '2000000001',
		appSecret: 'app-secret-xyz',
	},
});

describe('engine harness: our transport inside n8n-core WorkflowExecute', () => {
	it('sends with a Bearer token on Graph paths (Meta / sandbox providers)', async () => {
		const result = await runWorkflow(workflow([{ to: '5491155551234' }]), {
			credentials: credentials('meta'),
			extraNodeTypes: { 'test.graphProbe': new GraphProbe() },
		});
		expect(result.error).toBeUndefined();
		expect(result.json('Graph Probe')).toEqual([{ wamid: 'wamid.5491155551234' }]);
		expect(seen[0].path).toBe('/v24.0/1000000001/messages');
		expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
	});

	it('sends with D360-API-KEY on 360dialog paths', async () => {
		const result = await runWorkflow(workflow([{ to: '5491155551234' }]), {
			credentials: credentials('360dialog'),
			extraNodeTypes: { 'test.graphProbe': new GraphProbe() },
		});
		expect(result.error).toBeUndefined();
		expect(seen[0].path).toBe('/messages');
		expect(seen[0].headers['d360-api-key']).toBe(TOKEN);
		expect(seen[0].headers.authorization).toBeUndefined();
	});

	it('turns a Graph API error into a NodeApiError with the code, the fix and no token', async () => {
		const result = await runWorkflow(workflow([{ to: 'closed' }]), {
			credentials: credentials('meta'),
			extraNodeTypes: { 'test.graphProbe': new GraphProbe() },
		});
		expect(result.error).toBeDefined();
		const error = result.error!;
		expect((error as { name?: string }).name).toBe('NodeApiError');
		expect(error.message).toContain('131047');
		expect(error.description).toContain('use a template');
		expect(error.description).toContain('fbtrace_id AbCdEf123');
		expect(JSON.stringify(result.run)).not.toContain(TOKEN);
		expect(JSON.stringify(result.run)).toContain('[redacted]');
	});

	it('honours continueOnFail per item and keeps pairing', async () => {
		const result = await runWorkflow(workflow([{ to: '5491155551234' }, { to: 'closed' }], true), {
			credentials: credentials('meta'),
			extraNodeTypes: { 'test.graphProbe': new GraphProbe() },
		});
		expect(result.error).toBeUndefined();
		const items = result.output('Graph Probe')[0];
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(items[1].json.error).toContain('131047');
		expect(JSON.stringify(items)).not.toContain(TOKEN);
	});
});
