/**
 * examples/lab-results.json in a real n8n, against the sandbox: the laboratory system POSTs a patient's PDF as
 * multipart to the published Webhook, n8n stores it as binary data (its own binary data mode), Send HSM Template
 * checks it, uploads it to POST /media and sends lab_results with the media ID; a file of the wrong type is
 * refused before any upload or send, naming the field.
 */
import { randomInt, randomUUID } from 'node:crypto';

import { readExample, withUniquePaths } from '../../scripts/demo/examples';
import type { StoredCredential, StoredWorkflow } from '../../scripts/n8n/rest';
import { startSandbox, SANDBOX_DEFAULTS, type RunningSandbox } from '../../sandbox';
import { E2E_TIMEOUT_MS, useN8n } from './n8n-env';

/** A sent payload as the sandbox ledger keeps it (Meta's JSON, read loosely in assertions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MetaPayload = any;

const n8n = useN8n();
const WEBHOOK = 'Lab system posts a finished report';
const PDF = Buffer.from(
	'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

describe('examples/lab-results.json in a real n8n: a PDF per patient as the document header', () => {
	let sandbox: RunningSandbox;
	let credential: StoredCredential;
	let workflow: StoredWorkflow;
	let url: string;

	beforeAll(async () => {
		const { client } = n8n();
		sandbox = await startSandbox({ statusDelayMs: 20 });
		credential = await client.createCredential({
			name: `E2E lab results ${randomUUID().slice(0, 8)}`,
			type: 'whatsAppCloudApi',
			data: {
				provider: 'sandbox',
				baseUrl: sandbox.url,
				apiVersion: 'v24.0',
				accessToken: SANDBOX_DEFAULTS.accessToken,
				phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
				wabaId: SANDBOX_DEFAULTS.wabaId,
				appSecret: SANDBOX_DEFAULTS.appSecret,
			},
		});
		workflow = await client.importAndPublish(
			withUniquePaths(readExample('lab-results'), randomUUID().slice(0, 8)),
			{ credentials: { whatsAppCloudApi: credential } },
		);
		url = await client.productionWebhookUrl(workflow, WEBHOOK);
	}, E2E_TIMEOUT_MS);

	afterAll(async () => {
		if (workflow) await n8n().client.unpublishWorkflow(workflow.id);
		await sandbox?.stop();
	}, E2E_TIMEOUT_MS);

	const post = async (
		fields: Record<string, string>,
		file: { data: Buffer; type: string; name: string },
	) => {
		const form = new FormData();
		for (const [key, value] of Object.entries(fields)) form.append(key, value);
		form.append('results', new Blob([file.data], { type: file.type }), file.name);
		const response = await fetch(url, { method: 'POST', body: form });
		return { status: response.status, body: await response.text() };
	};

	test(
		"the posted PDF is uploaded once and sent by its media ID with the patient's file name",
		async () => {
			const line = String(randomInt(1_000_000, 9_999_999));
			const reply = await post(
				{ phone: `+54 9 11 4${line}`, name: 'Emilia', language: 'es_AR', reportId: 'LAB-1042' },
				{ data: PDF, type: 'application/pdf', name: 'report-1042.pdf' },
			);
			if (reply.status !== 200)
				throw new Error(`webhook answered ${reply.status}: ${reply.body}\n${n8n().logTail(40)}`);
			expect(JSON.parse(reply.body)).toMatchObject({
				status: 'sent',
				template: 'lab_results',
				language: 'es',
				wa_id: `549114${line}`,
			});
			const [upload] = sandbox.control.media();
			expect(upload).toMatchObject({
				mimeType: 'application/pdf',
				bytes: PDF.length,
				fileName: 'report-1042.pdf',
			});
			const [sent] = sandbox.control.ledger.forRecipient(`549114${line}`);
			expect((sent.payload as MetaPayload).template.components[0]).toEqual({
				type: 'header',
				parameters: [
					{ type: 'document', document: { id: upload.id, filename: 'resultados-Emilia.pdf' } },
				],
			});
		},
		E2E_TIMEOUT_MS,
	);

	test(
		'a file of the wrong type is refused before any upload or send, naming the field',
		async () => {
			const { client } = n8n();
			const before = sandbox.control.media().length;
			const sends = sandbox.control.ledger.all().length;
			const afterId = await client.lastExecutionId(workflow.id);
			await post(
				{ phone: '+54 9 11 4555 0000', name: 'Bruno', language: 'es' },
				{ data: Buffer.from('GIF89a....'), type: 'image/gif', name: 'scan.gif' },
			);
			const execution = await client.waitForExecution(workflow.id, { afterId });
			expect(execution.status).toBe('error');
			expect(execution.data.resultData.error?.message).toContain(
				'header ("Header document: link, media ID or binary property"): binary property "results" (scan.gif) is image/gif',
			);
			expect(sandbox.control.media()).toHaveLength(before);
			expect(sandbox.control.ledger.all()).toHaveLength(sends);
		},
		E2E_TIMEOUT_MS,
	);
});
