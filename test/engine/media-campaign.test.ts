/**
 * Bulk Campaign with header files from binary data, through n8n-core's WorkflowExecute against the sandbox:
 * a file shared by every recipient uploaded once and its media ID reused; each patient's own PDF uploaded with
 * the campaign's pacing and retries (a transient upload failure is retried; a refused upload makes that
 * recipient Not Sent with the reason, never a template with a broken header); a bad file refused before any upload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeConnectionTypes, type IDataObject, type INode } from 'n8n-workflow';

import { closeSharedStores } from '../../nodes/common/store';
import { clearTemplateCache } from '../../nodes/common/templates';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-credentials';

/** A sent payload as the sandbox ledger keeps it (Meta's JSON, read loosely in assertions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MetaPayload = any;

const NODE = 'Bulk Campaign';
const dir = mkdtempSync(join(tmpdir(), 'wa-bulk-media-'));
const storeFile = join(dir, 'store.sqlite');
let sandbox: RunningSandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ statusDelayMs: 5, throughputMps: 1000 });
});
afterAll(async () => {
	await sandbox.stop();
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
	sandbox.control.reset();
	clearTemplateCache();
});

const PNG_1PX =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`).toString('base64');
const phone = (i: number) => `+549115${String(i).padStart(7, '0')}`;

type Entry = {
	json: IDataObject;
	files?: Record<string, { base64: string; mimeType: string; fileName?: string }>;
};

function workflow(entries: Entry[], parameters: IDataObject) {
	const node: INode = {
		id: 'bulk',
		name: NODE,
		type: 'n8n-nodes-whatsapp-hsm.bulkCampaign',
		typeVersion: 1,
		position: [200, 0],
		parameters: { storeFile, ...parameters },
	};
	return {
		nodes: [
			{
				id: 'in',
				name: 'Binary Items',
				type: 'test.binaryItems',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters: { items: JSON.stringify(entries) },
			},
			node,
		],
		connections: {
			'Binary Items': { main: [[{ node: NODE, type: NodeConnectionTypes.Main, index: 0 }]] },
		},
	};
}

const run = (entries: Entry[], parameters: IDataObject) =>
	runWorkflow(workflow(entries, parameters), { credentials: sandboxCredentials(sandbox.url) });

const labCampaign = (campaignName: string, extra: IDataObject = {}) => ({
	operation: 'send',
	dryRun: false, // Dry Run is on by default for a new node
	campaignName,
	phone: '={{ $json.phone }}',
	template: 'lab_results',
	defaultLanguage: 'es',
	variables: {
		mappingMode: 'defineBelow',
		value: { header: 'data', 'body.1': '={{ $json.name }}' },
	},
	...extra,
});

const patients = (count: number): Entry[] =>
	Array.from({ length: count }, (_, i) => ({
		json: { phone: phone(i), name: `Paciente ${i}` },
		files: {
			data: {
				base64: pdf(`results ${i}`),
				mimeType: 'application/pdf',
				fileName: `resultados-${i}.pdf`,
			},
		},
	}));

describe('Bulk Campaign: header files from binary data', () => {
	it('uploads a picture shared by every recipient once and sends its media ID to all', async () => {
		const picture = { base64: PNG_1PX, mimeType: 'image/png', fileName: 'promo.png' };
		const entries = Array.from({ length: 20 }, (_, i) => ({
			json: { phone: phone(100 + i), name: `N${i}` },
			files: { data: picture },
		}));
		const result = await run(entries, {
			operation: 'send',
			dryRun: false,
			campaignName: 'shared picture',
			phone: '={{ $json.phone }}',
			template: 'taxi_discount',
			defaultLanguage: 'es',
			variables: {
				mappingMode: 'defineBelow',
				value: {
					header: 'data',
					'body.1': '={{ $json.name }}',
					'body.2': '31 de octubre',
					'button.0.url': 'SALUD10',
				},
			},
		});
		expect(result.error).toBeUndefined();
		const [sent, notSent] = result.output(NODE);
		expect(notSent).toHaveLength(0);
		expect(sent).toHaveLength(20);
		const uploads = sandbox.control.media();
		expect(uploads).toHaveLength(1);
		const ids = new Set(
			sandbox.control.ledger
				.all()
				.map(
					(entry) => (entry.payload as MetaPayload).template.components[0].parameters[0].image.id,
				),
		);
		expect([...ids]).toEqual([uploads[0].id]);
	});

	it("uploads each patient's PDF, retrying a transient upload failure; a refused upload leaves that patient Not Sent with the reason", async () => {
		sandbox.control.setFaults({ uploadFailures: { count: 2, code: 131000 } });
		const first = await run(patients(6), labCampaign('lab results'));
		expect(first.error).toBeUndefined();
		const [sent] = first.output(NODE);
		expect(sent).toHaveLength(6);
		const uploads = sandbox.control.media();
		expect(uploads.map((upload) => upload.fileName).sort()).toEqual(
			[0, 1, 2, 3, 4, 5].map((i) => `resultados-${i}.pdf`).sort(),
		);
		const sentIds = sandbox.control.ledger
			.all()
			.map((entry) => (entry.payload as MetaPayload).template.components[0].parameters[0].document);
		expect(sentIds.map((document: { id: string }) => document.id).sort()).toEqual(
			uploads.map((upload) => upload.id).sort(),
		);
		expect(sandbox.control.faults().uploadFailures).toEqual({ count: 0, code: 131000 });

		sandbox.control.reset();
		sandbox.control.setFaults({ uploadFailures: { count: 1, code: 131053 } });
		const second = await run(patients(3), labCampaign('lab results, refused upload'));
		const [ok, notSent] = second.output(NODE);
		expect(ok).toHaveLength(2);
		expect(notSent).toHaveLength(1);
		expect(notSent[0].json).toMatchObject({
			status: 'failed',
			reason: 'media_upload_failed',
			field: 'header',
			code: 131053,
		});
		expect(String(notSent[0].json.message)).toMatch(
			/^Not sent: uploading Header document: link, media ID or binary property failed — WhatsApp error 131053: \(#131053\) Media upload error/,
		);
		expect(sandbox.control.ledger.all()).toHaveLength(2);
		expect(sandbox.control.ledger.rejections()).toHaveLength(0);
	});

	it('refuses a file of the wrong type for its recipient before any upload (dry run and send)', async () => {
		const entries = patients(2);
		entries[1].files = {
			data: {
				base64: Buffer.from('GIF89a').toString('base64'),
				mimeType: 'image/gif',
				fileName: 'scan.gif',
			},
		};
		const dry = await run(entries, labCampaign('bad file', { dryRun: true }));
		const [wouldSend, skipped] = dry.output(NODE);
		expect(wouldSend.filter((item) => item.json.status === 'would_send')).toHaveLength(1);
		expect(skipped[0].json).toMatchObject({
			status: 'skipped',
			reason: 'invalid',
			field: 'header',
			valid: false,
		});
		expect(sandbox.control.media()).toHaveLength(0);

		const result = await run(entries, labCampaign('bad file'));
		const [sent, notSent] = result.output(NODE);
		expect(sent).toHaveLength(1);
		expect(notSent[0].json).toMatchObject({
			status: 'skipped',
			reason: 'invalid',
			field: 'header',
		});
		expect(String(notSent[0].json.message)).toContain(
			'binary property "data" (scan.gif) is image/gif; a header document must be PDF, text, Word, Excel or PowerPoint',
		);
		expect(sandbox.control.media()).toHaveLength(1);
	});
});
