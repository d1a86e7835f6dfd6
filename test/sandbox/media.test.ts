/**
 * The sandbox's media endpoint as Meta answers it: multipart uploads kept with their sha256, refusals for a
 * missing messaging_product, a missing file, a type Meta does not take and a file over the type's limit;
 * and sends that name a media ID that was never uploaded refused with Meta's error 100.
 */
import { CloudApiClient, GraphApiError, fetchHttp, multipartBody } from '../../lib/cloud-api';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { EMILIA, PHONE, TOKEN } from './helpers';

let sandbox: RunningSandbox;
let client: CloudApiClient;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

beforeAll(async () => {
	sandbox = await startSandbox({ statusDelayMs: 5 });
	const credentials = {
		provider: 'sandbox' as const,
		baseUrl: sandbox.url,
		apiVersion: 'v24.0',
		accessToken: TOKEN,
		phoneNumberId: PHONE,
		wabaId: '2000000001',
	};
	client = new CloudApiClient(fetchHttp(credentials), credentials);
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.control.reset());

async function rawUpload(
	fields: Record<string, string>,
	file?: { data: Buffer; mimeType: string; fileName?: string },
) {
	const form = file
		? await multipartBody(fields, { field: 'file', ...file })
		: await multipartBody(fields, {
				field: 'other',
				data: Buffer.from('x'),
				mimeType: 'text/plain',
			});
	const response = await fetch(`${sandbox.url}/v24.0/${PHONE}/media`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': form.contentType },
		body: form.body,
	});
	return {
		status: response.status,
		body: (await response.json()) as {
			id?: string;
			error?: { code: number; message: string; error_data?: { details: string } };
		},
	};
}

const lab = (id: string) => ({
	messaging_product: 'whatsapp',
	recipient_type: 'individual',
	to: EMILIA,
	type: 'template',
	template: {
		name: 'lab_results',
		language: { code: 'es' },
		components: [
			{
				type: 'header',
				parameters: [{ type: 'document', document: { id, filename: 'resultados.pdf' } }],
			},
			{ type: 'body', parameters: [{ type: 'text', text: 'Emilia' }] },
		],
	},
});

describe('POST /{phone-number-id}/media', () => {
	it('keeps an upload and answers its id; GET /{media-id} describes it, DELETE removes it', async () => {
		const id = await client.uploadMedia({
			data: PDF,
			mimeType: 'application/pdf',
			fileName: 'resultados.pdf',
		});
		expect(id).toMatch(/^\d{15,16}$/);
		const [stored] = sandbox.control.media();
		expect(stored).toMatchObject({
			id,
			mimeType: 'application/pdf',
			fileName: 'resultados.pdf',
			bytes: PDF.length,
			phoneNumberId: PHONE,
		});
		const info = (await (
			await fetch(`${sandbox.url}/v24.0/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
		).json()) as { url: string };
		expect(info).toMatchObject({
			messaging_product: 'whatsapp',
			mime_type: 'application/pdf',
			file_size: String(PDF.length),
			id,
		});
		const content = await fetch(info.url);
		expect(Buffer.from(await content.arrayBuffer()).equals(PDF)).toBe(true);
		const removed = await fetch(`${sandbox.url}/v24.0/${id}`, {
			method: 'DELETE',
			headers: { authorization: `Bearer ${TOKEN}` },
		});
		expect(await removed.json()).toEqual({ success: true });
		expect(sandbox.control.media()).toHaveLength(0);
	});

	it('refuses what Meta refuses: no messaging_product, no file, a type it does not take, a file over its limit', async () => {
		expect(
			await rawUpload({ type: 'application/pdf' }, { data: PDF, mimeType: 'application/pdf' }),
		).toMatchObject({
			status: 400,
			body: {
				error: { code: 100, message: '(#100) The parameter messaging_product is required.' },
			},
		});
		expect(
			await rawUpload({ messaging_product: 'whatsapp', type: 'application/pdf' }),
		).toMatchObject({
			status: 400,
			body: { error: { code: 100, message: '(#100) The parameter file is required.' } },
		});
		const gif = await rawUpload(
			{ messaging_product: 'whatsapp', type: 'image/gif' },
			{ data: Buffer.from('GIF89a'), mimeType: 'image/gif' },
		);
		expect(gif.status).toBe(400);
		expect(gif.body.error?.code).toBe(100);
		expect(gif.body.error?.message).toMatch(
			/^\(#100\) Param file must be a file with one of the following types: audio\/aac, .*image\/jpeg, image\/png.*\. Received file of type 'image\/gif'\.$/,
		);
		const big = await rawUpload(
			{ messaging_product: 'whatsapp', type: 'image/png' },
			{ data: Buffer.alloc(5 * 1024 * 1024 + 1), mimeType: 'image/png' },
		);
		expect(big).toMatchObject({
			status: 400,
			body: { error: { code: 131053, message: '(#131053) Media upload error' } },
		});
		expect(big.body.error?.error_data?.details).toContain('the maximum for this type is 5 MB');
		expect(sandbox.control.media()).toHaveLength(0);
		// The client turns a refusal into a GraphApiError with the catalogue's advice.
		const refused = await client
			.uploadMedia({ data: Buffer.from('GIF89a'), mimeType: 'image/gif' })
			.catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(GraphApiError);
		expect((refused as GraphApiError).code).toBe(100);
	});

	it('accepts a template send with an uploaded media ID and refuses one that was never uploaded', async () => {
		const id = await client.uploadMedia({
			data: PDF,
			mimeType: 'application/pdf',
			fileName: 'resultados.pdf',
		});
		expect(await client.send(lab(id))).toMatchObject({ ok: true });
		const unknown = await client.send(lab('1234567890123456'));
		expect(unknown.ok).toBe(false);
		const error = (unknown as { error: GraphApiError }).error;
		expect(error.code).toBe(100);
		expect(error.message).toBe(
			"(#100) Param template['components'][0]['parameters'][0]['document']['id'] is not a valid whatsapp business account media attachment ID",
		);
		expect(sandbox.control.ledger.all()).toHaveLength(1);
	});
});
