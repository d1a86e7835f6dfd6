/**
 * The WhatsApp HSM Trigger inside a real n8n, fed by the sandbox over HTTP: a message the sandbox signs with the
 * app secret starts the published workflow on its production URL and the workflow's reply template reaches the
 * sandbox; requests with a forged, tampered or missing X-Hub-Signature-256 are answered 401 and start nothing.
 */
import { createHmac, randomInt, randomUUID } from 'node:crypto';

import type { StoredCredential, StoredWorkflow, WorkflowJson } from '../../scripts/n8n/rest';
import { startSandbox, SANDBOX_DEFAULTS, type RunningSandbox } from '../../sandbox';
import { E2E_TIMEOUT_MS, useN8n } from './n8n-env';

const n8n = useN8n();

/** This file's own app secret, so a signature made with the sandbox default would count as forged here. */
const APP_SECRET = `e2e-app-secret-${randomUUID()}`;
const TRIGGER = 'WhatsApp HSM Trigger';
const REPLY = 'Send resume contact';

/** A fresh Argentine mobile number per use: the shared n8n keeps its conversation store between files. */
function newContact(): { phone: string; waId: string } {
	const line = String(randomInt(1_000_000, 9_999_999));
	return { phone: `+54 9 11 4${line}`, waId: `549114${line}` };
}

/** The trigger answering every message with the resume_contact template, the message text as the agent name. */
function replyWorkflow(marker: string): WorkflowJson {
	return {
		name: `E2E trigger → reply ${marker}`,
		nodes: [
			{
				name: TRIGGER,
				type: 'n8n-nodes-whatsapp-hsm.whatsAppHsmTrigger',
				typeVersion: 1.1,
				position: [0, 0],
				parameters: { emit: ['messages'] },
				credentials: { whatsAppCloudApi: { id: '', name: '' } },
			},
			{
				name: REPLY,
				type: 'n8n-nodes-whatsapp-hsm.sendHsmTemplate',
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					to: '={{ $json.wa_id }}',
					template: 'resume_contact',
					defaultLanguage: 'es',
					variables: {
						mappingMode: 'defineBelow',
						value: { 'body.1': '={{ $json.name }}', 'body.2': '={{ $json.text }}' },
					},
				},
				credentials: { whatsAppCloudApi: { id: '', name: '' } },
			},
		],
		connections: { [TRIGGER]: { main: [[{ node: REPLY, type: 'main', index: 0 }], [], []] } },
		settings: { executionOrder: 'v1' },
	};
}

/** A text message from `waId` in Meta's webhook shape, as the raw bytes a sender would sign. */
function metaTextMessage(waId: string, text: string): Buffer {
	const payload = {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: SANDBOX_DEFAULTS.wabaId,
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: {
								display_phone_number: '541140001000',
								phone_number_id: SANDBOX_DEFAULTS.phoneNumberId,
							},
							contacts: [{ profile: { name: 'Forger' }, wa_id: waId }],
							messages: [
								{
									from: waId,
									id: `wamid.FORGED${randomUUID().replace(/-/g, '')}`,
									timestamp: String(Math.floor(Date.now() / 1000)),
									type: 'text',
									text: { body: text },
								},
							],
						},
					},
				],
			},
		],
	};
	return Buffer.from(JSON.stringify(payload));
}

const sign = (body: Buffer, secret: string) =>
	`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

type TriggerItem = { wa_id?: string; text?: string; name?: string };
type ReplyItem = { status: string; wa_id?: string; wamid?: string; template?: string };

describe('the WhatsApp HSM Trigger in a real n8n, fed by the sandbox', () => {
	let sandbox: RunningSandbox;
	let credential: StoredCredential;
	let workflow: StoredWorkflow;
	let triggerUrl: string;

	beforeAll(async () => {
		const { client } = n8n();
		sandbox = await startSandbox({ appSecret: APP_SECRET, statusDelayMs: 20 });
		credential = await client.createCredential({
			name: `E2E trigger sandbox ${randomUUID().slice(0, 8)}`,
			type: 'whatsAppCloudApi',
			data: {
				provider: 'sandbox',
				baseUrl: sandbox.url,
				apiVersion: 'v24.0',
				accessToken: SANDBOX_DEFAULTS.accessToken,
				phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
				wabaId: SANDBOX_DEFAULTS.wabaId,
				appSecret: APP_SECRET,
				verifyToken: 'e2e-verify',
			},
		});
		workflow = await client.importAndPublish(replyWorkflow(randomUUID().slice(0, 8)), {
			credentials: { whatsAppCloudApi: credential },
		});
		triggerUrl = await client.productionWebhookUrl(workflow, TRIGGER);
		sandbox.control.setWebhookUrl(triggerUrl);
	}, E2E_TIMEOUT_MS);

	afterAll(async () => {
		if (workflow) await n8n().client.unpublishWorkflow(workflow.id);
		await sandbox?.stop();
	}, E2E_TIMEOUT_MS);

	test(
		'a message the sandbox signs starts the workflow on its production URL, and the reply template lands in the sandbox ledger',
		async () => {
			const { client, logTail } = n8n();
			const contact = newContact();
			const marker = `Agente${randomInt(100_000, 999_999)}`;
			const afterId = await client.lastExecutionId(workflow.id);

			const said = sandbox.control.say(`contact ${contact.phone} named Ana says ${marker}`);
			expect(said.waId).toBe(contact.waId);

			const execution = await client.waitForExecution(workflow.id, { afterId });
			const runData = execution.data.resultData.runData;
			if (execution.status !== 'success')
				throw new Error(
					`execution ${execution.id} ${execution.status}: ${execution.data.resultData.error?.message}\n${logTail(40)}`,
				);
			const [message] = (runData[TRIGGER][0].data?.main[0] ?? []).map(
				(item) => item.json as TriggerItem,
			);
			expect(message).toMatchObject({ wa_id: contact.waId, text: marker, name: 'Ana' });
			const [reply] = (runData[REPLY][0].data?.main[0] ?? []).map((item) => item.json as ReplyItem);
			expect(reply).toMatchObject({
				status: 'sent',
				wa_id: contact.waId,
				template: 'resume_contact',
			});

			const received = sandbox.control.ledger.forRecipient(contact.waId);
			expect(received.map((entry) => [entry.id, entry.template?.name])).toEqual([
				[reply.wamid, 'resume_contact'],
			]);
			expect(received[0].rendered?.body).toBe(
				`Hola Ana, soy ${marker}, del equipo de atención de SaludCenter. Retomamos la consulta que nos dejaste: ¿seguís necesitando ayuda? Respondé este mensaje y seguimos la conversación.`,
			);
			// The delivery that carried her message was accepted by n8n (the sandbox retries anything else).
			expect(
				sandbox.control
					.webhookDeliveries()
					.filter((delivery) => delivery.url === triggerUrl && delivery.status !== 200),
			).toEqual([]);
		},
		E2E_TIMEOUT_MS,
	);

	test(
		'forged, tampered and unsigned webhooks get 401 and start no execution; the next genuine one does',
		async () => {
			const { client } = n8n();
			const forger = newContact();
			const afterId = await client.lastExecutionId(workflow.id);

			const post = (body: Buffer, signature?: string) =>
				fetch(triggerUrl, {
					method: 'POST',
					headers: {
						'content-type': 'application/json',
						...(signature ? { 'x-hub-signature-256': signature } : {}),
					},
					body,
				}).then((response) => response.status);
			const forged = metaTextMessage(forger.waId, 'forged with another secret');
			const original = metaTextMessage(forger.waId, 'signed then tampered');
			const tampered = Buffer.from(
				original.toString('utf8').replace('signed then tampered', 'tampered after signing'),
			);
			const unsigned = metaTextMessage(forger.waId, 'not signed at all');

			expect(await post(forged, sign(forged, 'not-the-app-secret'))).toBe(401);
			expect(await post(tampered, sign(original, APP_SECRET))).toBe(401);
			expect(await post(unsigned)).toBe(401);
			// The default sandbox secret is not this credential's secret either.
			expect(await post(forged, sign(forged, SANDBOX_DEFAULTS.appSecret))).toBe(401);

			// A genuine message after them: the first execution after `afterId` must be its own.
			const genuine = newContact();
			sandbox.control.say(`contact ${genuine.phone} named Bea says genuino`);
			const execution = await client.waitForExecution(workflow.id, { afterId });
			const [message] = (execution.data.resultData.runData[TRIGGER][0].data?.main[0] ?? []).map(
				(item) => item.json as TriggerItem,
			);
			expect(message).toMatchObject({ wa_id: genuine.waId, text: 'genuino' });
			const executions = await client.listExecutions(workflow.id);
			expect(
				executions
					.filter((candidate) => Number(candidate.id) > afterId)
					.map((candidate) => candidate.id),
			).toEqual([execution.id]);
			expect(sandbox.control.ledger.forRecipient(forger.waId)).toEqual([]);
		},
		E2E_TIMEOUT_MS,
	);
});
