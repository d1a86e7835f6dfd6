/**
 * The type-specific part of an inbound message (docs/meta-cloud-api.md §3): the text a person would read,
 * what they chose (button payload / interactive reply ID), media, location, reaction, order, system notice.
 */
import { arr, bool, name, obj, rawStr, str, type JsonObject } from './read';
import type { MediaInfo, MessageEvent } from './types';
import { dropUndefined } from './object';

export type MessageContent = Pick<
	MessageEvent,
	| 'text'
	| 'button'
	| 'replyId'
	| 'interactive'
	| 'media'
	| 'location'
	| 'reaction'
	| 'sharedContacts'
	| 'order'
	| 'system'
>;

/** Message types whose payload is a media object (id, mime_type, sha256, caption, …). */
export const MEDIA_TYPES: ReadonlySet<string> = new Set([
	'image',
	'audio',
	'video',
	'document',
	'sticker',
]);

function media(value: JsonObject): MediaInfo {
	return dropUndefined({
		id: str(value.id),
		mimeType: str(value.mime_type),
		sha256: str(value.sha256),
		caption: str(value.caption),
		filename: str(value.filename),
		voice: bool(value.voice),
		animated: bool(value.animated),
		url: str(value.url),
	});
}

function finite(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
		return Number(value);
	return undefined;
}

/** Flow (nfm_reply) answers arrive as a JSON string; parse it when it is JSON, keep the string otherwise. */
function flowResponse(value: unknown): unknown {
	if (typeof value !== 'string') return undefined;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		return value;
	}
}

function interactive(value: JsonObject): MessageContent {
	const type = name(value.type);
	const reply = obj(value.button_reply) ?? obj(value.list_reply);
	if (reply && (type === 'button_reply' || type === 'list_reply' || type === undefined)) {
		const id = str(reply.id);
		const title = str(reply.title);
		return {
			text: title,
			replyId: id,
			interactive: dropUndefined({
				type: type ?? (value.button_reply ? 'button_reply' : 'list_reply'),
				id,
				title,
				description: str(reply.description),
			}),
		};
	}
	const flow = obj(value.nfm_reply);
	if (flow) {
		const body = str(flow.body);
		return {
			text: body,
			interactive: dropUndefined({
				type: type ?? 'nfm_reply',
				name: str(flow.name),
				body,
				response: flowResponse(flow.response_json),
			}),
		};
	}
	return { interactive: dropUndefined({ type }) };
}

/** Reads the content of one message of the given type; unknown types yield nothing (the raw message stays in `raw`). */
export function messageContent(type: string, message: JsonObject): MessageContent {
	// Own property only: `type` comes from the payload and could name something like "__proto__".
	const body = Object.prototype.hasOwnProperty.call(message, type) ? obj(message[type]) : undefined;
	if (MEDIA_TYPES.has(type)) {
		if (!body) return {};
		const info = media(body);
		return { text: info.caption, media: info };
	}
	switch (type) {
		case 'text':
			return { text: str(body?.body) };
		case 'button': {
			const payload = str(body?.payload);
			return { text: str(body?.text), button: payload, replyId: payload };
		}
		case 'interactive':
			return body ? interactive(body) : {};
		case 'location':
			return body
				? {
						location: dropUndefined({
							latitude: finite(body.latitude),
							longitude: finite(body.longitude),
							name: str(body.name),
							address: str(body.address),
							url: str(body.url),
						}),
					}
				: {};
		case 'contacts':
			return Array.isArray(message.contacts)
				? { sharedContacts: arr(message.contacts).slice() }
				: {};
		case 'reaction':
			// emoji "" (or absent) means the user removed their reaction
			return body
				? {
						reaction: dropUndefined({
							messageId: str(body.message_id),
							emoji: rawStr(body.emoji) ?? '',
						}),
					}
				: {};
		case 'order':
			return body ? { text: str(body.text), order: body } : {};
		case 'system':
			return body ? { text: str(body.body), system: body } : {};
		default:
			return {};
	}
}
