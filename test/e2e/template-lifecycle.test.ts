/**
 * The template lifecycle in a real n8n against the sandbox: a WhatsApp Templates node (behind a Webhook) creates
 * and submits a template in two languages; the sandbox reviews them and posts message_template_status_update to the
 * published examples/template-status-alerts.json, which tells the team (a recording server stands in for Slack);
 * then Send HSM Template sends the newly approved template.
 */
import { randomInt, randomUUID } from 'node:crypto';

import { readExample, withUniquePaths } from '../../scripts/demo/examples';
import type { StoredCredential, StoredWorkflow, WorkflowJson } from '../../scripts/n8n/rest';
import { startSandbox, SANDBOX_DEFAULTS, type RunningSandbox } from '../../sandbox';
import { E2E_TIMEOUT_MS, useN8n } from './n8n-env';
import { startRecordingServer } from './recording-server';

const n8n = useN8n();

function webhookTo(name: string, path: string, node: WorkflowJson['nodes'][number]): WorkflowJson {
	return {
		name,
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				parameters: {
					httpMethod: 'POST',
					path,
					responseMode: 'lastNode',
					responseData: 'allEntries',
					options: {},
				},
			},
			node,
		],
		connections: { Webhook: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

describe('the template lifecycle in a real n8n, against the sandbox', () => {
	let sandbox: RunningSandbox;
	let team: Awaited<ReturnType<typeof startRecordingServer>>;
	let credential: StoredCredential;
	const workflows: StoredWorkflow[] = [];
	const urls: Record<string, string> = {};
	const suffix = randomUUID().slice(0, 8);

	beforeAll(async () => {
		const { client } = n8n();
		sandbox = await startSandbox({ statusDelayMs: 20, templateReviewMs: 300 });
		team = await startRecordingServer({ ok: true });
		credential = await client.createCredential({
			name: `E2E templates ${suffix}`,
			type: 'whatsAppCloudApi',
			data: {
				provider: 'sandbox',
				baseUrl: sandbox.url,
				apiVersion: 'v24.0',
				accessToken: SANDBOX_DEFAULTS.accessToken,
				phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
				wabaId: SANDBOX_DEFAULTS.wabaId,
				appSecret: SANDBOX_DEFAULTS.appSecret,
				verifyToken: 'e2e-templates',
			},
		});
		const credentials = { whatsAppCloudApi: credential };
		const alerts = withUniquePaths(readExample('template-status-alerts'), suffix);
		alerts.nodes.find((node) => node.name === 'Tell the team')!.parameters.url = `${team.url}/team`;
		const published = await client.importAndPublish(alerts, { credentials });
		workflows.push(published);
		sandbox.control.setWebhookUrl(
			await client.productionWebhookUrl(published, 'WhatsApp HSM Trigger'),
		);

		const create = await client.importAndPublish(
			webhookTo(`E2E create template ${suffix}`, `create-template-${suffix}`, {
				name: 'WhatsApp Templates',
				type: 'n8n-nodes-whatsapp-hsm.whatsAppTemplates',
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					operation: 'create',
					name: '={{ $json.body.name }}',
					category: 'UTILITY',
					language: '={{ $json.body.language }}',
					body: '={{ $json.body.text }}',
					bodyExamples: 'Emilia',
				},
				credentials: { whatsAppCloudApi: { id: '', name: '' } },
			}),
			{ credentials },
		);
		workflows.push(create);
		urls.create = await client.productionWebhookUrl(create, 'Webhook');

		const send = await client.importAndPublish(
			webhookTo(`E2E send new template ${suffix}`, `send-new-template-${suffix}`, {
				name: 'Send HSM Template',
				type: 'n8n-nodes-whatsapp-hsm.sendHsmTemplate',
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					to: '={{ $json.body.phone }}',
					template: '={{ $json.body.template }}',
					defaultLanguage: 'es',
					variables: { mappingMode: 'defineBelow', value: { 'body.1': '={{ $json.body.name }}' } },
				},
				credentials: { whatsAppCloudApi: { id: '', name: '' } },
			}),
			{ credentials },
		);
		workflows.push(send);
		urls.send = await client.productionWebhookUrl(send, 'Webhook');
	}, E2E_TIMEOUT_MS);

	afterAll(async () => {
		for (const workflow of workflows) await n8n().client.unpublishWorkflow(workflow.id);
		// The e2e n8n is shared: a second credential of the same type would change what later imports link to.
		if (credential) await n8n().client.api('DELETE', `/credentials/${credential.id}`);
		await sandbox?.stop();
		await team?.stop();
	}, E2E_TIMEOUT_MS);

	test(
		'created per language, approved, the team told, and sent with Send HSM Template',
		async () => {
			const name = `results_ready_${suffix.replace(/[^a-z0-9]/g, '')}`;
			const post = (url: string, body: object) =>
				fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(body),
				});
			// The Send workflow loads the template list first (the new template does not exist yet).
			const early = await post(urls.send, {
				phone: '+54 9 11 4000 0001',
				template: name,
				name: 'Emilia',
			});
			expect(early.status).toBe(500);

			for (const [language, text] of [
				['es', 'Hola {{1}}, tus resultados ya están listos.'],
				['en', 'Hi {{1}}, your results are ready.'],
			]) {
				const answer = await post(urls.create, { name, language, text });
				const body = await answer.text();
				if (answer.status !== 200)
					throw new Error(`create answered ${answer.status}: ${body}\n${n8n().logTail(30)}`);
				expect(JSON.parse(body)).toEqual([
					expect.objectContaining({ name, language, status: 'PENDING', category: 'UTILITY' }),
				]);
			}

			const until = Date.now() + 20_000;
			while (team.requests.length < 2 && Date.now() < until)
				await new Promise((resolve) => setTimeout(resolve, 100));
			const told = team.requests.map((request) => JSON.parse(request.body).text as string).sort();
			expect(told).toEqual([
				`✅ Template "${name}" (en) was approved: it can be sent now`,
				`✅ Template "${name}" (es) was approved: it can be sent now`,
			]);

			const line = String(randomInt(1_000_000, 9_999_999));
			const sent = await post(urls.send, {
				phone: `+54 9 11 4${line}`,
				template: name,
				name: 'Emilia',
			});
			const sentBody = await sent.text();
			if (sent.status !== 200)
				throw new Error(`send answered ${sent.status}: ${sentBody}\n${n8n().logTail(30)}`);
			expect(JSON.parse(sentBody)).toEqual([
				expect.objectContaining({ status: 'sent', template: name, language: 'es' }),
			]);
			expect(sandbox.control.ledger.forRecipient(`549114${line}`)[0].rendered?.body).toBe(
				'Hola Emilia, tus resultados ya están listos.',
			);
		},
		E2E_TIMEOUT_MS,
	);
});
