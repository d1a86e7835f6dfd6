/**
 * What one verified webhook POST writes into the conversation store, framework-free (the trigger node, the tests'
 * status receiver): events already seen dropped, then each contact's last inbound (with referral and profile
 * name), opt-outs and opt-ins, the campaign recipients' delivery statuses and 131049 holds.
 *
 * All or nothing for Meta: when a write fails, the POST's new events are forgotten as seen, so that the refused
 * POST, which Meta sends again, is recorded then rather than dropped as a duplicate. What was written before the
 * failure is written again without harm: every record here is idempotent.
 */
import { isMarketingHoldCode, marketingHoldUntil } from '../contact-policy';
import { isDeliveryStatus } from '../store/merge-rules';
import type { ConversationStore, InboundInput, StatusInput } from '../store/types';
import { DEFAULT_SEEN_TTL_SECONDS } from '../store/types';
import { dedupKey } from './dedup';
import { detectOptChange, type OptChangeOptions } from './opt-change';
import type { WebhookEvent } from './types';

type StatusEvent = Extract<WebhookEvent, { kind: 'status' }>;

/**
 * Records a POST's events and returns those seen for the first time, in order (the ones to emit).
 *
 * @throws the store's error, after forgetting the new events as seen
 */
export async function recordWebhookEvents(
	store: ConversationStore,
	events: readonly WebhookEvent[],
	optRules: OptChangeOptions,
): Promise<WebhookEvent[]> {
	if (events.length === 0) return [];
	const keys = events.map(dedupKey);
	const fresh = await store.markSeen(keys, DEFAULT_SEEN_TTL_SECONDS);
	const newEvents = events.filter((_, index) => fresh[index]);
	try {
		await recordNew(store, newEvents, optRules);
	} catch (error) {
		await store.forgetSeen(keys.filter((_, index) => fresh[index])).catch(() => undefined);
		throw error;
	}
	return newEvents;
}

async function recordNew(
	store: ConversationStore,
	events: readonly WebhookEvent[],
	optRules: OptChangeOptions,
): Promise<void> {
	const inbounds = events.map(inboundInputOf).filter((input) => input !== undefined);
	if (inbounds.length > 0) await store.recordInbounds(inbounds);

	// One transaction (SQLite) or one pipeline (Redis) for the POST's statuses: Meta batches up to a thousand.
	const statuses = events.filter(isDeliveryStatusEvent);
	if (statuses.length > 0) await store.recordStatuses(statuses.map(statusInputOf));
	for (const event of statuses) {
		const contactId = event.wa_id ?? event.recipientId;
		if (isMarketingHoldCode(event.errors?.[0]?.code) && contactId && event.phoneNumberId)
			await store.markMarketingHold(
				event.phoneNumberId,
				contactId,
				marketingHoldUntil(event.timestampMs ?? Date.now()),
			);
	}

	for (const event of events) {
		const change = detectOptChange(event, optRules);
		const contactId = change?.wa_id ?? change?.user_id;
		if (!change || !contactId || !change.phoneNumberId) continue;
		await store.setOptState(change.phoneNumberId, contactId, {
			optedOut: change.change === 'opt-out',
			at: change.timestampMs ?? Date.now(),
			reason: change.reason,
			scope: change.scope,
			detail: change.matched,
		});
	}
}

/** A message that tells when the contact last wrote (the 24-hour window), or undefined. */
function inboundInputOf(event: WebhookEvent): InboundInput | undefined {
	if (event.kind !== 'message' || !event.phoneNumberId || !(event.wa_id || event.user_id))
		return undefined;
	if (!event.timestampMs) return undefined;
	return {
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
	};
}

/** A status event the store records (sent, delivered, read, played, failed of a known message). */
export function isDeliveryStatusEvent(
	event: WebhookEvent,
): event is StatusEvent & { id: string; status: StatusInput['status'] } {
	return event.kind === 'status' && !!event.id && isDeliveryStatus(event.status);
}

/** The store's input for a status event: matched by callback data (campaign, recipient), else by wamid. */
export function statusInputOf(
	event: StatusEvent & { id: string; status: StatusInput['status'] },
): StatusInput {
	const error = event.errors?.[0];
	return {
		wamid: event.id,
		status: event.status,
		at: event.timestampMs ?? Date.now(),
		campaignId: event.callbackData?.campaignId,
		recipientId: event.callbackData?.recipient,
		errorCode: error?.code,
		errorTitle: error?.title,
	};
}
