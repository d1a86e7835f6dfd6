/** multipart/form-data bodies for the Graph API's upload endpoints. */

/** Node's own multipart encoder (FormData + Blob): the body bytes and the content type with its boundary. */
export async function multipartBody(
	fields: Record<string, string>,
	file: { field: string; data: Buffer; mimeType: string; fileName?: string },
): Promise<{ body: Buffer; contentType: string }> {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	form.append(file.field, new Blob([file.data], { type: file.mimeType }), file.fileName ?? 'file');
	const encoded = new Response(form);
	const body = Buffer.from(await encoded.arrayBuffer());
	return { body, contentType: encoded.headers.get('content-type') ?? 'multipart/form-data' };
}
