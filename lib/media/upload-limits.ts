/**
 * Meta's rules for media sent as a template header, as data (Cloud API "Supported media types"):
 * which file types each header format takes and how large a file may be. Change them here when Meta does.
 */

/** The header formats that carry a file. */
export type MediaType = 'image' | 'video' | 'document';

/** The file types and size a header format takes. */
export interface MediaRule {
	/** MIME types Meta accepts for this header format */
	mimeTypes: readonly string[];
	/** Largest file Meta accepts, in bytes */
	maxBytes: number;
	/** Whether the file name travels with the media (document headers show it to the recipient) */
	carriesFileName: boolean;
}

const MB = 1024 * 1024;

export const mediaRules: Record<MediaType, MediaRule> = {
	image: { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB, carriesFileName: false },
	video: { mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB, carriesFileName: false },
	document: {
		mimeTypes: [
			'application/pdf',
			'text/plain',
			'application/msword',
			'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
			'application/vnd.ms-excel',
			'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			'application/vnd.ms-powerpoint',
			'application/vnd.openxmlformats-officedocument.presentationml.presentation',
		],
		maxBytes: 100 * MB,
		carriesFileName: true,
	},
};

/** Every MIME type the upload endpoint takes (Meta's own list, also audio and stickers), for the sandbox. */
export const uploadableMimeTypes: readonly string[] = [
	'audio/aac',
	'audio/mp4',
	'audio/mpeg',
	'audio/amr',
	'audio/ogg',
	'audio/opus',
	...mediaRules.document.mimeTypes,
	'image/jpeg',
	'image/png',
	'image/webp',
	'video/mp4',
	'video/3gpp',
];

/** Meta's size limit per uploaded MIME type (audio 16 MB, stickers 500 KB), for the sandbox's refusals. */
export function maxBytesFor(mimeType: string): number | undefined {
	const type = mimeType.toLowerCase();
	if (type === 'image/webp') return 500 * 1024;
	if (type.startsWith('audio/')) return 16 * MB;
	for (const rule of Object.values(mediaRules))
		if (rule.mimeTypes.includes(type)) return rule.maxBytes;
	return undefined;
}

/** Meta keeps an uploaded file this long: a media ID older than that must be uploaded again. */
export const uploadRetentionMs = 30 * 24 * 3600 * 1000;

/** "5 MB", "1.2 MB", "830 KB" */
export function formatBytes(bytes: number): string {
	if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
	if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
	return `${bytes} bytes`;
}
