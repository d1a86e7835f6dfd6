/**
 * The package inside a real n8n 2.40.7 (installed by `npm run n8n:install`, package built by `npm run build`):
 * n8n loads every node and credential package.json's `n8n` section lists, under the names exported workflows use,
 * and workflows that use them run — published through the public API on a production webhook, and through
 * `n8n import:workflow` + `n8n execute` from the CLI.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { StoredCredential, WorkflowJson } from '../../scripts/n8n/rest';
import { paths } from '../../scripts/n8n/runtime';
import { E2E_TIMEOUT_MS, useN8n } from './n8n-env';
import { startRecordingServer } from './recording-server';

const n8n = useN8n();

interface PackageManifest {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
}
const manifest = JSON.parse(
	readFileSync(path.join(paths.REPO, 'package.json'), 'utf8'),
) as PackageManifest;

/** Loads a listed dist file the way n8n does: the class named like the file (X.node.js → class X). */
function instantiateListed<T>(file: string): T {
	const className = path.basename(file).split('.')[0];
	const exported = createRequire(__filename)(path.join(paths.REPO, file)) as Record<
		string,
		new () => T
	>;
	const Class = exported[className];
	if (typeof Class !== 'function')
		throw new Error(`${file} does not export a class named ${className}: n8n would not load it`);
	return new Class();
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** n8n workflow ids are 16 alphanumerics. */
function workflowId(): string {
	return Array.from(randomBytes(16), (byte) => ALNUM[byte % ALNUM.length]).join('');
}

/** An HTTP Request node calling the Cloud API's send endpoint with our credential injecting the token. */
function sendNode(baseUrl: string, name: string, jsonBody: string): WorkflowJson['nodes'][number] {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [220, 0],
		parameters: {
			method: 'POST',
			url: `${baseUrl}/v24.0/1000001/messages`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'whatsAppCloudApi',
			sendBody: true,
			specifyBody: 'json',
			jsonBody,
			options: {},
		},
		credentials: { whatsAppCloudApi: { id: '', name: '' } },
	};
}

describe(`the package in a real n8n ${paths.N8N_VERSION}`, () => {
	test(
		'every node package.json lists is a node type named n8n-nodes-whatsapp-hsm.<name> (plus <name>Tool for AI-agent tools), and no other',
		async () => {
			const expected = manifest.n8n.nodes
				.map(
					(file) =>
						instantiateListed<{ description: { name: string; usableAsTool?: boolean } }>(file)
							.description,
				)
				// n8n derives an AI-agent tool variant from every node that is usableAsTool.
				.flatMap(({ name, usableAsTool }) => [
					`${manifest.name}.${name}`,
					...(usableAsTool ? [`${manifest.name}.${name}Tool`] : []),
				])
				.sort();
			const loaded = (await n8n().client.nodeTypes())
				.map((type) => type.name)
				.filter((name) => name.startsWith(`${manifest.name}.`));
			expect([...new Set(loaded)].sort()).toEqual(expected);
			// The window check is an agent tool; a whole-audience campaign deliberately is not.
			expect(loaded).toContain(`${manifest.name}.checkConversationWindowTool`);
			expect(loaded).not.toContain(`${manifest.name}.bulkCampaignTool`);
		},
		E2E_TIMEOUT_MS,
	);

	test(
		"n8n serves every node's light and dark icon, including the shared ones under nodes/common",
		async () => {
			const ours = (await n8n().client.nodeTypes()).filter((type) =>
				type.name.startsWith(`${manifest.name}.`),
			) as Array<{ name: string; iconUrl?: string | { light: string; dark: string } }>;
			expect(ours.length).toBeGreaterThan(0);
			for (const type of ours) {
				const { iconUrl } = type;
				if (!iconUrl || typeof iconUrl === 'string')
					throw new Error(`${type.name} has no light and dark icon: ${JSON.stringify(iconUrl)}`);
				for (const url of [iconUrl.light, iconUrl.dark]) {
					const response = await fetch(`${n8n().client.baseUrl}/${url}`);
					expect([type.name, url, response.status]).toEqual([type.name, url, 200]);
					expect(await response.text()).toMatch(/^<svg/);
				}
			}
		},
		E2E_TIMEOUT_MS,
	);

	test('n8n loads the package from its npm pack tarball unpacked in ~/.n8n/nodes/node_modules, with nothing installed beside it', () => {
		const installed = path.join(n8n().userFolder, '.n8n', 'nodes', 'node_modules', manifest.name);
		expect(lstatSync(installed).isDirectory()).toBe(true); // a folder as n8n's installer leaves it, not a link to the repo
		expect(readdirSync(installed).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
		const installedManifest = JSON.parse(
			readFileSync(path.join(installed, 'package.json'), 'utf8'),
		) as Record<string, unknown>;
		expect(installedManifest.dependencies ?? {}).toEqual({});
		expect(installedManifest.devDependencies).toBeUndefined();
	});

	test(
		'every credential package.json lists is a credential type with our display name and our fields first',
		async () => {
			expect(manifest.n8n.credentials.length).toBeGreaterThan(0);
			const loaded = await n8n().client.credentialTypes();
			for (const file of manifest.n8n.credentials) {
				const ours = instantiateListed<{
					name: string;
					displayName: string;
					properties: Array<{ name: string }>;
				}>(file);
				const known = loaded.find((type) => type.name === ours.name);
				if (!known)
					throw new Error(
						`n8n does not know credential type ${ours.name} (${file}); n8n log:\n${n8n().logTail(40)}`,
					);
				expect(known.displayName).toBe(ours.displayName);
				// n8n appends its own fields (allowedHttpRequestDomains, …) after ours.
				expect(
					known.properties.map((property) => property.name).slice(0, ours.properties.length),
				).toEqual(ours.properties.map((property) => property.name));
			}
		},
		E2E_TIMEOUT_MS,
	);

	describe('workflows using the WhatsApp Cloud API credential run', () => {
		let recorder: Awaited<ReturnType<typeof startRecordingServer>>;
		let credential: StoredCredential;
		const token = `e2e-token-${randomUUID()}`;

		beforeAll(async () => {
			recorder = await startRecordingServer({
				messaging_product: 'whatsapp',
				contacts: [{ wa_id: '5491100000001' }],
				messages: [{ id: 'wamid.E2E' }],
			});
			credential = await n8n().client.createCredential({
				name: `E2E sandbox ${randomUUID().slice(0, 8)}`,
				type: 'whatsAppCloudApi',
				data: {
					provider: 'sandbox',
					baseUrl: recorder.url,
					apiVersion: 'v24.0',
					accessToken: token,
					phoneNumberId: '1000001',
					wabaId: '2000002',
					appSecret: 'e2e-app-secret',
					verifyToken: 'e2e-verify',
				},
			});
		}, E2E_TIMEOUT_MS);

		afterAll(async () => {
			await recorder?.stop();
		});

		test(
			'published through the public API, a production webhook starts it and the credential authenticates the call',
			async () => {
				const { client } = n8n();
				const marker = `api-${randomUUID()}`;
				const workflow: WorkflowJson = {
					name: `E2E webhook ${marker}`,
					nodes: [
						{
							name: 'Webhook',
							type: 'n8n-nodes-base.webhook',
							typeVersion: 2,
							position: [0, 0],
							parameters: {
								httpMethod: 'POST',
								path: `e2e-${marker}`,
								responseMode: 'onReceived',
								options: {},
							},
						},
						sendNode(
							recorder.url,
							'Send',
							'={{ JSON.stringify({ messaging_product: "whatsapp", to: $json.body.to, marker: $json.body.marker }) }}',
						),
					],
					connections: { Webhook: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
					settings: { executionOrder: 'v1' },
				};
				const stored = await client.importAndPublish(workflow, {
					credentials: { whatsAppCloudApi: credential },
				});
				const afterId = await client.lastExecutionId(stored.id);

				const response = await fetch(await client.productionWebhookUrl(stored, 'Webhook'), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ to: '5491100000001', marker }),
				});
				expect(response.status).toBe(200);

				const execution = await client.waitForExecution(stored.id, { afterId });
				expect({
					status: execution.status,
					error: execution.data.resultData.error?.message,
				}).toEqual({ status: 'success', error: undefined });
				expect(execution.data.resultData.runData.Send[0].data?.main[0]?.[0].json).toMatchObject({
					messages: [{ id: 'wamid.E2E' }],
				});
				const call = recorder.requests.find((request) => request.body.includes(marker));
				expect(call).toBeDefined();
				expect(call?.url).toBe('/v24.0/1000001/messages');
				expect(call?.headers.authorization).toBe(`Bearer ${token}`);
				expect(JSON.parse(call?.body ?? '{}')).toEqual({
					messaging_product: 'whatsapp',
					to: '5491100000001',
					marker,
				});
			},
			E2E_TIMEOUT_MS,
		);

		test(
			'imported with `n8n import:workflow` and run with `n8n execute --id`',
			async () => {
				const { client, cli } = n8n();
				const marker = `cli-${randomUUID()}`;
				const id = workflowId();
				const send = sendNode(
					recorder.url,
					'Send',
					JSON.stringify({ messaging_product: 'whatsapp', to: '5491100000002', marker }),
				);
				send.credentials = { whatsAppCloudApi: { id: credential.id, name: credential.name } };
				const workflow = {
					id,
					name: `E2E CLI ${marker}`,
					active: false,
					nodes: [
						{
							id: randomUUID(),
							name: 'Start',
							type: 'n8n-nodes-base.manualTrigger',
							typeVersion: 1,
							position: [0, 0],
							parameters: {},
						},
						{ id: randomUUID(), ...send },
					],
					connections: { Start: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
					settings: { executionOrder: 'v1' },
				};
				const dir = mkdtempSync(path.join(tmpdir(), 'n8n-e2e-cli-'));
				try {
					const file = path.join(dir, 'workflow.json');
					writeFileSync(file, JSON.stringify(workflow));
					const imported = await cli(['import:workflow', `--input=${file}`]);
					expect({ code: imported.code, stderr: imported.stderr.slice(-2000) }).toEqual({
						code: 0,
						stderr: expect.any(String),
					});

					const executed = await cli(['execute', `--id=${id}`, '--rawOutput']);
					if (executed.code !== 0)
						throw new Error(
							`n8n execute exited ${executed.code}:\n${executed.stdout.slice(-2000)}\n${executed.stderr.slice(-2000)}`,
						);
				} finally {
					rmSync(dir, { recursive: true, force: true });
				}
				const call = recorder.requests.find((request) => request.body.includes(marker));
				expect(call?.headers.authorization).toBe(`Bearer ${token}`);
				const executions = await client.listExecutions(id);
				expect(executions.map((execution) => execution.status)).toEqual(['success']);
			},
			E2E_TIMEOUT_MS,
		);
	});
});
