/**
 * The sandbox's media uploads (`POST /{phone-number-id}/media`): multipart parsed by Node's own parser
 * (Response.formData), checked like Meta checks them (messaging_product, a file part, the type list, the size
 * per type), kept with their sha256 so that sends can only use media IDs that exist.
 */
import { createHash, randomInt } from 'node:crypto';

import {
	formatBytes,
	maxBytesFor,
	uploadableMimeTypes,
	uploadRetentionMs,
} from '../lib/media/upload-limits';
import { SandboxError } from './errors';

export interface StoredMedia {
	id: string;
	mimeType: string;
	fileName?: string;
	bytes: number;
	sha256: string;
	/** The phone number that uploaded it: Meta ties a media ID to that number */
	phoneNumberId: string;
	uploadedAt: number;
	/** The file itself, for GET /_sandbox/media/{id}/content */
	data: Buffer;
}

export class MediaStore {
	private readonly files = new Map<string, StoredMedia>();

	constructor(private readonly retentionMs = uploadRetentionMs) {}

	/** Parses and checks one upload; Meta's answer `{ id }`, or a SandboxError with Meta's refusal. */
	async upload(
		raw: Buffer,
		contentType: string | undefined,
		phoneNumberId: string,
		now = Date.now(),
	): Promise<{ id: string }> {
		if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
			throw new SandboxError(
				100,
				'the upload must be multipart/form-data with messaging_product, type and file',
				'(#100) The parameter messaging_product is required.',
			);
		}
		let form: FormData;
		try {
			form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
		} catch (error) {
			throw new SandboxError(
				100,
				`the multipart body could not be parsed: ${(error as Error).message}`,
			);
		}
		if (form.get('messaging_product') !== 'whatsapp') {
			throw new SandboxError(
				100,
				'messaging_product: must be "whatsapp"',
				'(#100) The parameter messaging_product is required.',
			);
		}
		const file = form.get('file');
		if (file === null || typeof file === 'string') {
			throw new SandboxError(
				100,
				'file: a file part named "file" is required',
				'(#100) The parameter file is required.',
			);
		}
		const declared = typeof form.get('type') === 'string' ? String(form.get('type')) : '';
		const mimeType = (file.type || declared || 'application/octet-stream')
			.split(';')[0]
			.trim()
			.toLowerCase();
		if (!uploadableMimeTypes.includes(mimeType)) {
			throw new SandboxError(
				100,
				`file: type ${mimeType} is not supported`,
				`(#100) Param file must be a file with one of the following types: ${uploadableMimeTypes.join(', ')}. Received file of type '${mimeType}'.`,
			);
		}
		const data = Buffer.from(await file.arrayBuffer());
		const max = maxBytesFor(mimeType) ?? 0;
		if (data.length > max) {
			throw new SandboxError(
				131053,
				`File of type ${mimeType} is ${formatBytes(data.length)} (${data.length} bytes); the maximum for this type is ${formatBytes(max)}.`,
			);
		}
		if (data.length === 0) throw new SandboxError(131053, 'The uploaded file is empty.');
		const id = this.nextId();
		this.files.set(id, {
			id,
			mimeType,
			fileName: file.name || undefined,
			bytes: data.length,
			sha256: createHash('sha256').update(data).digest('hex'),
			phoneNumberId,
			uploadedAt: now,
			data,
		});
		return { id };
	}

	/** The media if it exists for this number and is younger than Meta's 30 days. */
	get(id: string, phoneNumberId?: string, now = Date.now()): StoredMedia | undefined {
		const media = this.files.get(id);
		if (!media || now - media.uploadedAt > this.retentionMs) return undefined;
		if (phoneNumberId !== undefined && media.phoneNumberId !== phoneNumberId) return undefined;
		return media;
	}

	delete(id: string): boolean {
		return this.files.delete(id);
	}

	/** Every upload, without the bytes. */
	list(): Array<Omit<StoredMedia, 'data'>> {
		return [...this.files.values()].map((file) => {
			const { data, ...rest } = file;
			void data;
			return rest;
		});
	}

	clear(): void {
		this.files.clear();
	}

	private nextId(): string {
		// Meta's media IDs are 15-16 digit numbers.
		for (;;) {
			const id = `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
			if (!this.files.has(id)) return id;
		}
	}
}
