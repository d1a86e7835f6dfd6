/**
 * A parsed webhook → flat events: one per inbound message, per status, per other change (template and
 * quality updates, account events, user preferences, value.errors). Total: any JSON in, events out, never
 * a throw, because everything is read through read.ts. Order follows the payload (entries, changes, then
 * messages before statuses within a change).
 */
import { decodeCallbackData } from './callback-data';
import { enrichErrors } from './enrich-errors';
import { messageContent } from './message-content';
import { defineKey, dropUndefined } from './object';
import { arr, name, obj, str, unixTime, type JsonObject } from './read';
import { inReadingOrder } from './reading-order';
import type { MessageEvent, OtherEvent, StatusEvent, WebhookEvent } from './types';

interface ContactInfo {
	raw: JsonObject;
	wa_id?: string;
	user_id?: string;
	name?: string;
	username?: string;
}

/** Where a change came from: shared by all events of the change. */
interface ChangeContext {
	field: string;
	wabaId?: string;
	phoneNumberId?: string;
	displayPhoneNumber?: string;
	/** entry.time (Unix seconds): the time of account-level changes that carry no timestamp of their own */
	entryTime: unknown;
	value: JsonObject;
	/** true when the change holds a single event, so `raw` can be the change value itself */
	single: boolean;
}

const PHONE_DIGITS = /^\d{5,20}$/;

/** Contacts of one change, found by wa_id or user_id (2026: user_id may come without wa_id). */
class Contacts {
	private readonly list: ContactInfo[] = [];
	private index?: Map<string, ContactInfo>;

	constructor(value: unknown) {
		for (const item of arr(value)) {
			const raw = obj(item);
			if (!raw) continue;
			const profile = obj(raw.profile);
			this.list.push({
				raw,
				wa_id: str(raw.wa_id),
				user_id: str(raw.user_id),
				name: str(profile?.name),
				username: str(profile?.username),
			});
		}
	}

	/** The contact matching any of the IDs; with no IDs at all, the only contact if there is exactly one. */
	find(...ids: Array<string | undefined>): ContactInfo | undefined {
		if (this.list.length === 0) return undefined;
		if (ids.every((id) => id === undefined))
			return this.list.length === 1 ? this.list[0] : undefined;
		if (!this.index) {
			this.index = new Map();
			for (const contact of this.list) {
				if (contact.wa_id && !this.index.has(contact.wa_id)) this.index.set(contact.wa_id, contact);
				if (contact.user_id && !this.index.has(contact.user_id))
					this.index.set(contact.user_id, contact);
			}
		}
		for (const id of ids) {
			const found = id === undefined ? undefined : this.index.get(id);
			if (found) return found;
		}
		return undefined;
	}
}

const BATCH_KEYS = new Set(['messages', 'statuses', 'errors', 'user_preferences', 'contacts']);

/** The change value reduced to one event (see EventBase.raw). */
function narrow(
	ctx: ChangeContext,
	key: string,
	item: unknown,
	contact: ContactInfo | undefined,
): unknown {
	if (ctx.single) return ctx.value;
	const out: JsonObject = {};
	for (const k of Object.keys(ctx.value)) if (!BATCH_KEYS.has(k)) defineKey(out, k, ctx.value[k]);
	if (contact) out.contacts = [contact.raw];
	out[key] = key === 'errors' ? item : [item];
	return out;
}

/** Sets a field only when it has a value: events carry only the fields that exist (n8n shows every key). */
function put<T extends object, K extends keyof T>(
	target: T,
	key: K,
	value: T[K] | undefined,
): void {
	if (value !== undefined) target[key] = value;
}

/** kind, type and where the event came from (normaliseEvents puts what is read first ahead: reading-order.ts). */
function start<T extends WebhookEvent>(kind: T['kind'], type: string, ctx: ChangeContext): T {
	const event = { kind, type, field: ctx.field } as T;
	put(event, 'wabaId', ctx.wabaId);
	put(event, 'phoneNumberId', ctx.phoneNumberId);
	put(event, 'displayPhoneNumber', ctx.displayPhoneNumber);
	return event;
}

function putTime(event: WebhookEvent, value: unknown): void {
	const time = unixTime(value);
	if (time) {
		event.timestamp = time.timestamp;
		event.timestampMs = time.timestampMs;
	}
}

function messageEvent(ctx: ChangeContext, message: JsonObject, contacts: Contacts): MessageEvent {
	const type = name(message.type) ?? 'unknown';
	const from = str(message.from);
	const fromUserId = str(message.from_user_id);
	const contact = contacts.find(from, fromUserId);
	const event = start<MessageEvent>('message', type, ctx);
	put(event, 'id', str(message.id));
	put(event, 'from', from);
	put(
		event,
		'wa_id',
		contact?.wa_id ?? (from !== undefined && PHONE_DIGITS.test(from) ? from : undefined),
	);
	put(event, 'user_id', fromUserId ?? contact?.user_id);
	put(event, 'name', contact?.name);
	put(event, 'username', contact?.username);
	putTime(event, message.timestamp);
	const content = messageContent(type, message);
	for (const key of Object.keys(content) as Array<keyof typeof content>)
		put(event, key, content[key]);
	put(event, 'referral', obj(message.referral));
	put(event, 'context', obj(message.context));
	put(event, 'errors', enrichErrors(message.errors));
	event.raw = narrow(ctx, 'messages', message, contact);
	return event;
}

function statusEvent(ctx: ChangeContext, status: JsonObject, contacts: Contacts): StatusEvent {
	const value = name(status.status);
	const recipientId = str(status.recipient_id);
	const recipientUserId = str(status.recipient_user_id);
	const contact = contacts.find(recipientId, recipientUserId);
	const opaque =
		typeof status.biz_opaque_callback_data === 'string'
			? status.biz_opaque_callback_data
			: undefined;
	const callbackData = decodeCallbackData(opaque);
	const conversation = obj(status.conversation);
	const event = start<StatusEvent>('status', value ?? 'unknown', ctx);
	put(event, 'id', str(status.id));
	put(event, 'status', value);
	put(event, 'recipientId', recipientId);
	put(
		event,
		'wa_id',
		contact?.wa_id ??
			(recipientId !== undefined && PHONE_DIGITS.test(recipientId) ? recipientId : undefined),
	);
	put(event, 'user_id', recipientUserId ?? contact?.user_id);
	put(event, 'name', contact?.name);
	putTime(event, status.timestamp);
	put(event, 'bizOpaqueCallbackData', opaque);
	put(event, 'callbackData', callbackData);
	put(event, 'campaignId', callbackData?.campaignId);
	put(event, 'pricing', obj(status.pricing));
	put(event, 'conversation', conversation);
	put(event, 'conversationExpiresAt', unixTime(conversation?.expiration_timestamp)?.timestamp);
	put(event, 'errors', enrichErrors(status.errors));
	event.raw = narrow(ctx, 'statuses', status, contact);
	return event;
}

/** Fields common to account-level changes (template status / quality, phone number quality, account_update). */
function otherEvent(
	ctx: ChangeContext,
	type: string,
	raw: unknown,
	extra: Partial<OtherEvent> = {},
): OtherEvent {
	const value = ctx.value;
	const hasTemplate =
		value.message_template_id !== undefined || value.message_template_name !== undefined;
	const hasLimit =
		value.current_limit !== undefined || value.max_daily_conversations_per_business !== undefined;
	return dropUndefined<OtherEvent>({
		kind: 'other',
		type,
		field: ctx.field,
		wabaId: ctx.wabaId,
		phoneNumberId: ctx.phoneNumberId,
		displayPhoneNumber:
			ctx.displayPhoneNumber ?? str(value.display_phone_number) ?? str(value.phone_number),
		...unixTime(ctx.entryTime),
		event: name(value.event),
		template: hasTemplate
			? dropUndefined({
					id: str(value.message_template_id),
					name: str(value.message_template_name),
					language: str(value.message_template_language),
					category: str(value.message_template_category),
					reason: str(value.reason),
					previousQuality: str(value.previous_quality_score),
					newQuality: str(value.new_quality_score),
				})
			: undefined,
		messagingLimit: hasLimit
			? dropUndefined({
					current: str(value.current_limit),
					previous: str(value.old_limit),
					maxDailyConversationsPerBusiness: str(value.max_daily_conversations_per_business),
				})
			: undefined,
		errors: enrichErrors(value.errors),
		raw,
		...extra,
	});
}

function preferenceEvents(ctx: ChangeContext, contacts: Contacts, out: WebhookEvent[]): void {
	const preferences = arr(ctx.value.user_preferences);
	for (const item of preferences) {
		const preference = obj(item);
		if (!preference) continue;
		const waId = str(preference.wa_id);
		const userId = str(preference.user_id);
		const contact = contacts.find(waId, userId);
		out.push(
			otherEvent(ctx, ctx.field, narrow(ctx, 'user_preferences', preference, contact), {
				wa_id: waId ?? contact?.wa_id,
				user_id: userId ?? contact?.user_id,
				name: contact?.name,
				preference: dropUndefined({
					category: str(preference.category),
					value: str(preference.value),
					detail: str(preference.detail),
				}),
				...(unixTime(preference.timestamp) ?? unixTime(ctx.entryTime)),
			}),
		);
	}
}

function changeEvents(entry: JsonObject, change: JsonObject, out: WebhookEvent[]): void {
	const field = name(change.field) ?? 'unknown';
	const value = obj(change.value) ?? {};
	const metadata = obj(value.metadata);
	const messages = arr(value.messages);
	const statuses = arr(value.statuses);
	const preferences = field === 'user_preferences' ? arr(value.user_preferences) : [];
	const hasErrors = arr(value.errors).length > 0;
	const count = messages.length + statuses.length + preferences.length + (hasErrors ? 1 : 0);
	const ctx: ChangeContext = {
		field,
		wabaId: str(entry.id),
		phoneNumberId: str(metadata?.phone_number_id),
		displayPhoneNumber: str(metadata?.display_phone_number),
		entryTime: entry.time,
		value,
		single: count <= 1,
	};
	const before = out.length;
	const contacts = new Contacts(value.contacts);
	for (const item of messages) {
		const message = obj(item);
		if (message) out.push(messageEvent(ctx, message, contacts));
	}
	for (const item of statuses) {
		const status = obj(item);
		if (status) out.push(statusEvent(ctx, status, contacts));
	}
	if (preferences.length > 0) preferenceEvents(ctx, contacts, out);
	if (field === 'messages') {
		if (hasErrors)
			out.push(otherEvent(ctx, 'errors', narrow(ctx, 'errors', value.errors, undefined)));
		// A messages change with nothing we know (a future sub-type) still becomes an item rather than vanish.
		else if (out.length === before) out.push(otherEvent(ctx, field, value));
	} else if (out.length === before) {
		out.push(otherEvent(ctx, field, value));
	}
}

/**
 * Events of a payload accepted by parseWebhook (any other value yields an empty list), each with its keys in
 * reading order: what happened and who first, IDs, timestamps and the raw change last.
 */
export function normaliseEvents(payload: unknown): WebhookEvent[] {
	const out: WebhookEvent[] = [];
	for (const item of arr(obj(payload)?.entry)) {
		const entry = obj(item);
		if (!entry) continue;
		for (const changeItem of arr(entry.changes)) {
			const change = obj(changeItem);
			if (change) changeEvents(entry, change, out);
		}
	}
	return out.map(inReadingOrder);
}
