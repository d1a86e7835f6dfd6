/**
 * examples/*.json in a real n8n: each is a workflow n8n's editor opens without a warning (node types and versions
 * n8n has, parameters the nodes know, nothing required left empty, connections to existing nodes and outputs,
 * the credential named as documented), each imports and publishes through the public API (its triggers go
 * live), and `n8n import:workflow` accepts each file as it is. Running them against the sandbox is the demo's
 * job (demo.test.ts).
 */
import { randomUUID } from 'node:crypto';

import {
	CREDENTIAL_NAME,
	importExamples,
	listExamples,
	readExample,
} from '../../scripts/demo/examples';
import type {
	NodeTypeDescription,
	StoredCredential,
	StoredWorkflow,
	WorkflowJson,
} from '../../scripts/n8n/rest';
import { SANDBOX_DEFAULTS } from '../../sandbox';
import { E2E_TIMEOUT_MS, useN8n } from './n8n-env';
import { checkWorkflow } from './workflow-check';

const n8n = useN8n();
const examples = listExamples();

describe('the example workflows in a real n8n', () => {
	let types: NodeTypeDescription[];
	let credential: StoredCredential;

	beforeAll(async () => {
		const { client } = n8n();
		types = await client.nodeTypes();
		credential = await client.createCredential({
			name: CREDENTIAL_NAME,
			type: 'whatsAppCloudApi',
			data: {
				provider: 'sandbox',
				baseUrl: 'http://127.0.0.1:9',
				apiVersion: 'v24.0',
				accessToken: SANDBOX_DEFAULTS.accessToken,
				phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
				wabaId: SANDBOX_DEFAULTS.wabaId,
				appSecret: SANDBOX_DEFAULTS.appSecret,
				verifyToken: 'examples-verify',
			},
		});
	}, E2E_TIMEOUT_MS);

	test('there are the seed scenarios, the weekly promotion, lab results and template alerts, and every example uses this package', () => {
		expect(examples.map((example) => example.key)).toEqual([
			'appointment-reminder',
			'lab-results',
			'operator-form',
			'promotion-campaign',
			'template-status-alerts',
			'weekly-promotion',
			'whatsapp-inbox',
		]);
		for (const { key } of examples) {
			const types = new Set(readExample(key).nodes.map((node) => node.type));
			expect([key, [...types].some((type) => type.startsWith('n8n-nodes-whatsapp-hsm.'))]).toEqual([
				key,
				true,
			]);
		}
	});

	test.each(examples.map((example) => example.key))(
		'examples/%s.json opens in the editor without a warning',
		(key) => {
			expect(checkWorkflow(readExample(key), types, { credentialName: CREDENTIAL_NAME })).toEqual(
				[],
			);
		},
	);

	test('the check finds what the editor would flag', () => {
		const broken: WorkflowJson = structuredClone(readExample('appointment-reminder'));
		const send = broken.nodes.find(
			(node) => node.type === 'n8n-nodes-whatsapp-hsm.sendHsmTemplate',
		)!;
		send.parameters.templat = 'appointment_reminder';
		delete send.parameters.to;
		(send.parameters.options as Record<string, unknown>).recontactOnly = true;
		broken.nodes.find(
			(node) => node.type === 'n8n-nodes-whatsapp-hsm.checkConversationWindow',
		)!.typeVersion = 9;
		(broken.connections as Record<string, unknown>)["Tomorrow's appointments"] = {
			main: [[{ node: 'Nowhere', type: 'main', index: 0 }]],
		};
		send.credentials = { whatsAppCloudApi: { id: '', name: 'Another name' } };
		expect(checkWorkflow(broken, types, { credentialName: CREDENTIAL_NAME })).toEqual([
			'"Check Conversation Window": n8n has no node type n8n-nodes-whatsapp-hsm.checkConversationWindow version 9 (versions: 1)',
			'"Send appointment reminder": parameter "templat" is unknown or hidden by the other values',
			'"Send appointment reminder": option "options.recontactOnly" is unknown',
			'"Send appointment reminder": to: Parameter "Recipient Phone" is required.',
			`"Send appointment reminder": credential "whatsAppCloudApi" is named "Another name", expected "${CREDENTIAL_NAME}"`,
			'"Tomorrow\'s appointments" connects to a missing node "Nowhere"',
		]);
	});

	test(
		'every example imports and publishes through the public API, with its credential resolved',
		async () => {
			const { client } = n8n();
			const suffix = randomUUID().slice(0, 8);
			let stored: Record<string, StoredWorkflow> = {};
			try {
				stored = await importExamples(client, credential, { suffix });
				expect(Object.keys(stored).sort()).toEqual(examples.map((example) => example.key));
				for (const [key, workflow] of Object.entries(stored)) {
					const status = await client.rest<{ status: string }>(
						'GET',
						`/workflows/${workflow.id}/publication-status`,
					);
					expect([key, status.status]).toEqual([key, 'published']);
					for (const node of workflow.nodes.filter((candidate) => candidate.credentials)) {
						expect([key, node.name, node.credentials?.whatsAppCloudApi?.id]).toEqual([
							key,
							node.name,
							credential.id,
						]);
					}
				}
			} finally {
				// The shared n8n goes on running other files: no schedules of these copies should fire there.
				for (const workflow of Object.values(stored)) await client.unpublishWorkflow(workflow.id);
			}
		},
		E2E_TIMEOUT_MS,
	);

	test(
		'`n8n import:workflow` accepts every example file as it is and links the credential by its name',
		async () => {
			const { client, cli } = n8n();
			for (const { key, file } of examples) {
				const result = await cli(['import:workflow', `--input=${file}`]);
				if (result.code !== 0)
					throw new Error(
						`n8n import:workflow --input=examples/${key}.json exited ${result.code}:\n${result.stdout.slice(-1500)}\n${result.stderr.slice(-1500)}`,
					);
				// By the file's own id (import:workflow keeps it): other tests in the shared n8n import the same
				// examples under the same name with their own credentials.
				const id = readExample(key).id;
				expect([key, typeof id]).toEqual([key, 'string']);
				const imported = await client.api<StoredWorkflow>('GET', `/workflows/${id}`);
				expect([key, imported.nodes.map((node) => node.name).sort()]).toEqual([
					key,
					readExample(key)
						.nodes.map((node) => node.name)
						.sort(),
				]);
				// n8n links the credential by the name the file gives.
				for (const node of imported.nodes.filter((candidate) => candidate.credentials)) {
					expect([key, node.name, node.credentials?.whatsAppCloudApi]).toEqual([
						key,
						node.name,
						{ id: credential.id, name: CREDENTIAL_NAME },
					]);
				}
			}
		},
		E2E_TIMEOUT_MS,
	);
});
