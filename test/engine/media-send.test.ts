/**
 * Send HSM Template with header files from the items' binary data, through n8n-core's WorkflowExecute (n8n's own
 * prepareBinaryData / assertBinaryData / getBinaryDataBuffer and httpRequestWithAuthentication) against the sandbox:
 * each patient's PDF uploaded and its media ID sent, a shared file uploaded once, bad files refused per item
 * before any upload or paid call, and a failed upload failing its item without a send.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeConnectionTypes, type IDataObject, type INode } from 'n8n-workflow';

import { clearTemplateCache } from '../../nodes/common/templates';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-credentials';

/** A sent payload as the sandbox ledger keeps it (Meta's JSON, read loosely in assertions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MetaPayload = any;

const storeFile = join(mkdtempSync(join(tmpdir(), 'wa-media-')), 'store.sqlite');
let sandbox: RunningSandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ statusDelayMs: 5 });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
	sandbox.control.reset();
	clearTemplateCache();
});

const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`).toString('base64');
const PNG_1PX =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

type Entry = {
	json: IDataObject;
	files?: Record<string, { base64: string; mimeType: string; fileName?: string }>;
};

function workflow(
	entries: Entry[],
	parameters: IDataObject,
	options: { continueOnFail?: boolean } = {},
) {
	const send: INode = {
		id: 'send',
		name: 'Send HSM Template',
		type: 'n8n-nodes-whatsapp-hsm.sendHsmTemplate',
		typeVersion: 1,
		position: [200, 0],
		parameters: { storeFile, ...parameters },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
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
			send,
		],
		connections: {
			'Binary Items': {
				main: [[{ node: 'Send HSM Template', type: NodeConnectionTypes.Main, index: 0 }]],
			},
		},
	};
}

const labResults = (header = 'data', extra: IDataObject = {}) => ({
	to: '={{ $json.phone }}',
	template: 'lab_results',
	defaultLanguage: 'es',
	variables: {
		mappingMode: 'defineBelow',
		value: { header, 'body.1': '={{ $json.name }}', ...extra },
	},
});

const taxi = (header: string) => ({
	to: '={{ $json.phone }}',
	template: 'taxi_discount',
	defaultLanguage: 'es',
	variables: {
		mappingMode: 'defineBelow',
		value: {
			header,
			'body.1': '={{ $json.name }}',
			'body.2': '31 de octubre',
			'button.0.url': 'SALUD10',
		},
	},
});

const run = (entries: Entry[], parameters: IDataObject, options?: { continueOnFail?: boolean }) =>
	runWorkflow(workflow(entries, parameters, options), {
		credentials: sandboxCredentials(sandbox.url),
	});

const patient = (index: number, name: string): Entry => ({
	json: { phone: `+54 9 11 5555 00${10 + index}`, name },
	files: {
		data: {
			base64: pdf(`results of ${name}`),
			mimeType: 'application/pdf',
			fileName: `resultados-${name.toLowerCase()}.pdf`,
		},
	},
});

describe('Send HSM Template: header files from binary data', () => {
	it("uploads each patient's PDF and sends its media ID with the file name", async () => {
		const result = await run([patient(0, 'Emilia'), patient(1, 'Bruno')], labResults());
		expect(result.error).toBeUndefined();
		const out = result.json('Send HSM Template');
		expect(out.map((item) => item.status)).toEqual(['sent', 'sent']);
		const uploads = sandbox.control.media();
		expect(uploads.map((upload) => upload.fileName)).toEqual([
			'resultados-emilia.pdf',
			'resultados-bruno.pdf',
		]);
		expect(uploads.every((upload) => upload.mimeType === 'application/pdf')).toBe(true);
		const sent = sandbox.control.ledger.all();
		expect(sent.map((entry) => (entry.payload as MetaPayload).template.components[0])).toEqual([
			{
				type: 'header',
				parameters: [
					{ type: 'document', document: { id: uploads[0].id, filename: 'resultados-emilia.pdf' } },
				],
			},
			{
				type: 'header',
				parameters: [
					{ type: 'document', document: { id: uploads[1].id, filename: 'resultados-bruno.pdf' } },
				],
			},
		]);
		expect(String(out[0].renderedText)).toContain(
			'Hola Emilia, tus resultados ya están disponibles',
		);
	});

	it('uploads a file shared by every item once and reuses its media ID; the file name field overrides the shown name', async () => {
		const shared = {
			base64: pdf('the same leaflet'),
			mimeType: 'application/pdf',
			fileName: 'leaflet.pdf',
		};
		const entries = ['Ana', 'Bea', 'Carla'].map((name, index) => ({
			json: { phone: `+54 9 11 5555 01${10 + index}`, name },
			files: { data: shared },
		}));
		const result = await run(entries, labResults('data', { 'header.filename': 'SaludCenter.pdf' }));
		expect(result.json('Send HSM Template').map((item) => item.status)).toEqual([
			'sent',
			'sent',
			'sent',
		]);
		const uploads = sandbox.control.media();
		expect(uploads).toHaveLength(1);
		const documents = sandbox.control.ledger
			.all()
			.map((entry) => (entry.payload as MetaPayload).template.components[0].parameters[0].document);
		expect(documents).toEqual(
			[0, 1, 2].map(() => ({ id: uploads[0].id, filename: 'SaludCenter.pdf' })),
		);
	});

	it("takes n8n's binary object from an expression ({{ $binary.data }}) as well as the property name", async () => {
		const result = await run([patient(0, 'Emilia')], labResults('={{ $binary.data }}'));
		expect(result.error).toBeUndefined();
		expect(result.json('Send HSM Template')[0]).toMatchObject({ status: 'sent' });
		expect(sandbox.control.media()).toHaveLength(1);
	});

	it('refuses a file of the wrong type or too large, or a missing property, per item, before any upload or send', async () => {
		const gif = {
			json: { phone: '+54 9 11 5555 0201', name: 'Ana' },
			files: {
				data: {
					base64: Buffer.from('GIF89a....').toString('base64'),
					mimeType: 'image/gif',
					fileName: 'promo.gif',
				},
			},
		};
		const big = {
			json: { phone: '+54 9 11 5555 0202', name: 'Bea' },
			files: {
				data: {
					base64: Buffer.alloc(5 * 1024 * 1024 + 10).toString('base64'),
					mimeType: 'image/png',
					fileName: 'huge.png',
				},
			},
		};
		const good = {
			json: { phone: '+54 9 11 5555 0203', name: 'Carla' },
			files: { data: { base64: PNG_1PX, mimeType: 'image/png', fileName: 'promo.png' } },
		};
		const noFile = {
			json: { phone: '+54 9 11 5555 0204', name: 'Dora' },
			files: { other: { base64: PNG_1PX, mimeType: 'image/png' } },
		};

		const stopped = await run([good, gif], taxi('data'));
		expect(stopped.error?.message).toBe(
			'Item 1: header ("Header image: link, media ID or binary property"): binary property "data" (promo.gif) is image/gif; a header image must be image/jpeg or image/png: convert it to JPEG or PNG first (e.g. n8n\'s Edit Image node)',
		);
		expect(sandbox.control.media()).toHaveLength(0);
		expect(sandbox.control.ledger.all()).toHaveLength(0);

		const result = await run([gif, big, good, noFile], taxi('data'), { continueOnFail: true });
		const out = result.json('Send HSM Template');
		expect(out.map((item) => item.status)).toEqual(['failed', 'failed', 'sent', 'failed']);
		expect(String(out[1].error)).toBe(
			'Item 1: header ("Header image: link, media ID or binary property"): binary property "data" (huge.png) is 5 MB (5242890 bytes); WhatsApp takes a header image of at most 5 MB: compress it or send a smaller file',
		);
		expect(String(out[3].error)).toBe(
			'Item 3: header: the item has no binary property "data"; its binary properties are "other": map one of those names',
		);
		expect(sandbox.control.media()).toHaveLength(1);
		expect(sandbox.control.ledger.all().map((entry) => entry.waId)).toEqual(['5491155550203']);
	});

	it('a failed upload fails its item with the reason and sends nothing for it', async () => {
		sandbox.control.setFaults({ uploadFailures: { count: 1, code: 131053 } });
		const result = await run([patient(0, 'Emilia'), patient(1, 'Bruno')], labResults(), {
			continueOnFail: true,
		});
		const [item, next] = result.json('Send HSM Template');
		expect(item).toMatchObject({
			status: 'failed',
			reason: 'media_upload_failed',
			field: 'header',
		});
		expect(String(item.error)).toBe(
			'uploading Header document: link, media ID or binary property failed — WhatsApp error 131053: Media upload error',
		);
		expect(next).toMatchObject({ status: 'sent' });
		expect(String(item.fix)).toMatch(/^Nothing was sent\./);
		expect(sandbox.control.ledger.all().map((entry) => entry.waId)).toEqual(['5491155550011']);
	});
});
