/**
 * The order an event's fields are read in. n8n's Table view and JSON view show an item's keys in insertion
 * order, so what a person looks for first (what happened, who, what they wrote or chose, the status) leads, and
 * the IDs, timestamps and the raw change follow. Only the order changes: every field keeps its name and value.
 */
import type { WebhookEvent } from './types';

type Kind = WebhookEvent['kind'];

/** Per kind, the fields that lead, in this order; the others follow in the order normalise.ts set them. */
export const READ_FIRST: Readonly<Record<Kind, readonly string[]>> = {
	message: [
		'type',
		'name',
		'username',
		'from',
		'text',
		'button',
		'replyId',
		'interactive',
		'media',
		'location',
		'reaction',
		'sharedContacts',
		'order',
		'system',
		'referral',
		'context',
		'errors',
	],
	status: [
		'type',
		'status',
		'name',
		'recipientId',
		'campaignId',
		'errors',
		'conversationExpiresAt',
		'pricing',
		'conversation',
		'callbackData',
		'bizOpaqueCallbackData',
	],
	other: ['type', 'event', 'template', 'messagingLimit', 'preference', 'name', 'errors'],
};

/** Always last: the change the event came from, the largest and least read field. */
const READ_LAST = 'raw';

/** The same event with its keys in reading order (a new object; the values are not copied). */
export function inReadingOrder<T extends WebhookEvent>(event: T): T {
	const source = event as unknown as Record<string, unknown>;
	const out: Record<string, unknown> = {};
	const first = READ_FIRST[event.kind] ?? [];
	for (const key of first) if (Object.hasOwn(source, key)) out[key] = source[key];
	for (const key of Object.keys(source))
		if (key !== READ_LAST && !Object.hasOwn(out, key)) out[key] = source[key];
	if (Object.hasOwn(source, READ_LAST)) out[READ_LAST] = source[READ_LAST];
	return out as unknown as T;
}
