/**
 * Uploads header files to `POST /{phone-number-id}/media` and hands back their media IDs, each distinct file
 * once: a campaign whose recipients share one picture uploads it once and reuses its ID (Meta keeps an upload
 * for 30 days); each patient's own PDF is uploaded once for that patient.
 */
import { createHash } from 'node:crypto';

import type { GraphApiError } from '../cloud-api/client';
import { checkMediaFile, effectiveMimeType, type MediaFile } from './file';
import type { MediaType } from './upload-limits';

/** The one call the uploader needs (CloudApiClient has it): the media ID, or a GraphApiError thrown. */
export interface MediaUploadApi {
	uploadMedia(
		file: { data: Buffer; mimeType: string; fileName?: string },
		options?: { timeoutMs?: number },
	): Promise<string>;
}

/** A header file that is not acceptable once read (its real size): nothing was uploaded. */
export class MediaFileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MediaFileError';
	}
}

export type UploadOutcome =
	| { ok: true; id: string; reused: boolean }
	| { ok: false; error: GraphApiError | MediaFileError };

/** Uploads header files to Meta, each distinct file once per run (shared files and retries reuse the ID). */
export class MediaUploader {
	/** Files sent to Meta */
	uploads = 0;
	/** Times an earlier upload's ID was reused */
	reused = 0;
	private readonly done = new Map<string, Promise<string>>();
	private readonly byIdentity = new Map<string, string>();

	constructor(
		private readonly api: MediaUploadApi,
		private readonly options: { timeoutMs?: number } = {},
	) {}

	/**
	 * The media ID for this file as header `mediaType` (`field` names it in errors). Never throws: a refusal or
	 * an unreadable / oversized file is the outcome; a failed upload is not remembered, so a retry uploads again.
	 */
	async upload(field: string, mediaType: MediaType, file: MediaFile): Promise<UploadOutcome> {
		try {
			const known = file.identity !== undefined ? this.byIdentity.get(file.identity) : undefined;
			if (known !== undefined) {
				const pending = this.done.get(known);
				if (pending) {
					const id = await pending;
					this.reused++;
					return { ok: true, id, reused: true };
				}
			}
			const data = await file.load();
			const problem = checkMediaFile(field, mediaType, file, data.length);
			if (problem) return { ok: false, error: new MediaFileError(problem) };
			const mimeType = effectiveMimeType(file);
			const key = `${mimeType}|${createHash('sha256').update(data).digest('hex')}`;
			if (file.identity !== undefined) this.byIdentity.set(file.identity, key);
			const earlier = this.done.get(key);
			if (earlier) {
				const id = await earlier;
				this.reused++;
				return { ok: true, id, reused: true };
			}
			const upload = this.api.uploadMedia(
				{ data, mimeType, fileName: file.fileName },
				{ timeoutMs: this.options.timeoutMs },
			);
			this.done.set(key, upload);
			this.uploads++;
			try {
				return { ok: true, id: await upload, reused: false };
			} catch (error) {
				this.done.delete(key);
				throw error;
			}
		} catch (error) {
			if ((error as GraphApiError).name === 'GraphApiError' || error instanceof MediaFileError)
				return { ok: false, error: error as GraphApiError };
			return {
				ok: false,
				error: new MediaFileError(
					`${field}: ${file.source} could not be read: ${(error as Error).message}`,
				),
			};
		}
	}
}
