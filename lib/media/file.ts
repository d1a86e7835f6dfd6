/**
 * A file to send as a header, before it is uploaded: where it comes from (an n8n binary property), its type,
 * name and size, and how to read it. Checked against Meta's rules (upload-limits.ts) before anything is uploaded
 * or paid.
 */
import { formatBytes, mediaRules, type MediaType } from './upload-limits';

/** A workflow file as the checks and uploads see it: type, name, size and how to read it. */
export interface MediaFile {
	/** How the user named it, for messages: `binary property "data"` */
	source: string;
	/** As given by the binary data (may carry parameters such as "; charset=utf-8") */
	mimeType: string;
	fileName?: string;
	/** Size in bytes when known without reading the file (n8n records it when the file is stored) */
	bytes?: number;
	/** Identifies the content without reading it (n8n's binary data id in filesystem / database mode) */
	identity?: string;
	/** Reads the file */
	load(): Promise<Buffer>;
}

/** Extensions that say what an untyped file (application/octet-stream) really is, for the accepted types only. */
const typeByExtension: Record<string, string> = {
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	png: 'image/png',
	mp4: 'video/mp4',
	'3gp': 'video/3gpp',
	pdf: 'application/pdf',
	txt: 'text/plain',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	ppt: 'application/vnd.ms-powerpoint',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

const untyped = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/**
 * The MIME type to upload with: the file's own, without parameters; an untyped file (octet-stream, as many
 * downloads are) takes the type its extension names.
 */
export function effectiveMimeType(file: Pick<MediaFile, 'mimeType' | 'fileName'>): string {
	const own = String(file.mimeType ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	if (!untyped.has(own)) return own;
	const extension = /\.([A-Za-z0-9]+)$/.exec(file.fileName ?? '')?.[1]?.toLowerCase();
	return (extension && typeByExtension[extension]) || own || 'application/octet-stream';
}

/** Size of base64 text once decoded, without decoding it. */
export function base64Bytes(data: string): number {
	const clean = data.replace(/\s/g, '');
	const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
	return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

/**
 * Why this file cannot be the header `mediaType`, or undefined when it can. `field` is the field as the editor
 * shows it; `bytes` overrides the file's own size (the size once read).
 */
export function checkMediaFile(
	field: string,
	mediaType: MediaType,
	file: MediaFile,
	bytes = file.bytes,
): string | undefined {
	const rule = mediaRules[mediaType];
	const type = effectiveMimeType(file);
	const name = file.fileName ? ` (${file.fileName})` : '';
	if (!rule.mimeTypes.includes(type)) {
		const allowed =
			mediaType === 'document'
				? 'PDF, text, Word, Excel or PowerPoint'
				: rule.mimeTypes.join(' or ');
		const fix =
			mediaType === 'image'
				? "convert it to JPEG or PNG first (e.g. n8n's Edit Image node)"
				: mediaType === 'video'
					? 'convert it to MP4 (H.264 video, AAC audio) first'
					: 'convert it to PDF first';
		return `${field}: ${file.source}${name} is ${type}; a header ${mediaType} must be ${allowed}: ${fix}`;
	}
	if (bytes !== undefined && bytes > rule.maxBytes) {
		return `${field}: ${file.source}${name} is ${formatBytes(bytes)} (${bytes} bytes); WhatsApp takes a header ${mediaType} of at most ${formatBytes(rule.maxBytes)}: compress it or send a smaller file`;
	}
	if (bytes === 0)
		return `${field}: ${file.source}${name} is empty (0 bytes): check the node that produced it`;
	return undefined;
}
