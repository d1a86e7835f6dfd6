import {
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { marketingHoldUntil } from '../../lib/contact-policy';
import type { ConversationStore, DeliveryStatus, InboundInput } from '../../lib/store/types';
import { DEFAULT_SEEN_TTL_SECONDS } from '../../lib/store/types';
import { dedupKey, detectOptChange, type WebhookEvent } from '../../lib/webhook';
import { cachedCredentials } from '../common/credential-cache';
import { openStore } from '../common/store';
import { invalidateTemplates } from '../common/templates';

export interface TriggerOptions {
	emit: Set<string>;
	phoneNumberIds: Set<string>;
	optOutKeywords: readonly string[];
	optInKeywords: readonly string[];
	optOutButtonPayloads: readonly string[];
	includeRaw: boolean;
}

const DELIVERY_STATUSES = new Set<string>(['sent', 'delivered', 'read', 'played', 'failed']);

/**
 * Drops events already seen, writes what other workflows need into the store (last inbound, referral, profile
 * name, opt-outs, campaign statuses) and returns the items per output: Messages, Statuses, Other.
 * Statuses are always recorded, even when the Statuses output is switched off.
 */
export async function recordEvents(
	ctx: IWebhookFunctions,
	allEvents: WebhookEvent[],
	options: TriggerOptions,
): Promise<INodeExecutionData[][]> {
	const events =
		options.phoneNumberIds.size === 0
			? allEvents
			: allEvents.filter(
					(event) => !event.phoneNumberId || options.phoneNumberIds.has(event.phoneNumberId),
				);
	if (events.length === 0) return [[], [], []];

	// The Redis credential (Redis store) from the trigger's short-lived cache, like the Cloud API one.
	const store = await openStore(ctx, 0, { credentials: (type) => cachedCredentials(ctx, type) });
	const keys = events.map(dedupKey);
	const fresh = await store.markSeen(keys, DEFAULT_SEEN_TTL_SECONDS);
	const newEvents = events.filter((_, index) => fresh[index]);
	try {
		return await recordNew(store, events, newEvents, options);
	} catch (error) {
		// Not recorded: the POST is refused, and Meta's retry must not be dropped as already seen. (What was
		// written before the failure is written again by the retry without harm: every record is idempotent.)
		await store.forgetSeen(keys.filter((_, index) => fresh[index])).catch(() => undefined);
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}

async function recordNew(
	store: ConversationStore,
	events: WebhookEvent[],
	newEvents: WebhookEvent[],
	options: TriggerOptions,
): Promise<INodeExecutionData[][]> {
	const outputs: INodeExecutionData[][] = [[], [], []];

	const inbounds: InboundInput[] = [];
	for (const event of newEvents) {
		if (
			event.kind === 'message' &&
			event.phoneNumberId &&
			(event.wa_id || event.user_id) &&
			event.timestampMs
		) {
			inbounds.push({
				businessNumberId: event.phoneNumberId,
				waId: event.wa_id,
				userId: event.user_id,
				at: event.timestampMs,
				messageId: event.id,
				channel: 'whatsapp',
				profileName: event.name,
				referral: event.referral
					? {
							sourceType: String(event.referral.source_type ?? ''),
							sourceId: String(event.referral.source_id ?? ''),
						}
					: undefined,
			});
		}
	}
	if (inbounds.length > 0) await store.recordInbounds(inbounds);

	// A template was approved, rejected, paused, re-categorised…: the template dropdowns must see it on their next load.
	for (const event of events)
		if (event.field.startsWith('message_template_')) invalidateTemplates(event.wabaId);

	// One transaction (SQLite) or one pipeline (Redis) for the POST's statuses: Meta batches up to a thousand.
	await recordStatuses(store, newEvents);

	for (const event of newEvents) {
		await applyOptChange(store, event, options);

		const index = event.kind === 'message' ? 0 : event.kind === 'status' ? 1 : 2;
		const wanted =
			index === 0
				? options.emit.has('messages')
				: index === 1
					? options.emit.has('statuses')
					: options.emit.has('other');
		if (wanted) outputs[index].push({ json: toItem(event, options.includeRaw) });
	}
	return outputs;
}

async function applyOptChange(
	store: ConversationStore,
	event: WebhookEvent,
	options: TriggerOptions,
): Promise<void> {
	const change = detectOptChange(event, {
		optOutKeywords: options.optOutKeywords,
		optInKeywords: options.optInKeywords,
		optOutButtonPayloads: options.optOutButtonPayloads,
	});
	const contactId = change?.wa_id ?? change?.user_id;
	if (!change || !contactId || !change.phoneNumberId) return;
	await store.setOptState(change.phoneNumberId, contactId, {
		optedOut: change.change === 'opt-out',
		at: change.timestampMs ?? Date.now(),
		reason: change.reason,
		scope: change.scope,
		detail: change.matched,
	});
}

type StatusEvent = Extract<WebhookEvent, { kind: 'status' }>;

async function recordStatuses(store: ConversationStore, events: WebhookEvent[]): Promise<void> {
	const statuses = events.filter(
		(event): event is StatusEvent & { id: string; status: string } =>
			event.kind === 'status' &&
			!!event.id &&
			!!event.status &&
			DELIVERY_STATUSES.has(event.status),
	);
	if (statuses.length === 0) return;
	await store.recordStatuses(
		statuses.map((event) => {
			const error = event.errors?.[0];
			return {
				wamid: event.id,
				status: event.status as DeliveryStatus,
				at: event.timestampMs ?? Date.now(),
				campaignId: event.callbackData?.campaignId,
				recipientId: event.callbackData?.recipient,
				errorCode: error?.code,
				errorTitle: error?.title,
			};
		}),
	);
	for (const event of statuses) {
		const contactId = event.wa_id ?? event.recipientId;
		// 131049: Meta held a marketing template for this user's health; do not try again for a day.
		if (event.errors?.[0]?.code === 131049 && contactId && event.phoneNumberId) {
			await store.markMarketingHold(
				event.phoneNumberId,
				contactId,
				marketingHoldUntil(event.timestampMs ?? Date.now()),
			);
		}
	}
}

/** The normalised event as an item; `raw` (the change it came from) only when wanted. */
function toItem(event: WebhookEvent, includeRaw: boolean): IDataObject {
	const { raw, ...rest } = event as WebhookEvent & { raw: unknown };
	return (includeRaw ? { ...rest, raw } : rest) as IDataObject;
}
