import {
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IWebhookFunctions,
} from 'n8n-workflow';

import type { WebhookEvent } from '../../lib/webhook';
import { recordWebhookEvents } from '../../lib/webhook/record';
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

/**
 * Writes what other workflows need into the store (lib/webhook/record.ts: last inbound, referral, profile name,
 * opt-outs, campaign statuses), drops events already seen, and returns the items per output: Messages, Statuses,
 * Other. Statuses are always recorded, even when the Statuses output is switched off.
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
	const outputs: INodeExecutionData[][] = [[], [], []];
	if (events.length === 0) return outputs;

	// The Redis credential (Redis store) from the trigger's short-lived cache, like the Cloud API one.
	const store = await openStore(ctx, 0, { credentials: (type) => cachedCredentials(ctx, type) });
	let newEvents: WebhookEvent[];
	try {
		newEvents = await recordWebhookEvents(store, events, options);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}

	// A template was approved, rejected, paused, re-categorised…: the template dropdowns must see it on their next load.
	for (const event of events)
		if (event.field.startsWith('message_template_')) invalidateTemplates(event.wabaId);

	for (const event of newEvents) {
		const index = event.kind === 'message' ? 0 : event.kind === 'status' ? 1 : 2;
		const wanted = options.emit.has(index === 0 ? 'messages' : index === 1 ? 'statuses' : 'other');
		if (wanted) outputs[index].push({ json: toItem(event, options.includeRaw) });
	}
	return outputs;
}

/** The normalised event as an item; `raw` (the change it came from) only when wanted. */
function toItem(event: WebhookEvent, includeRaw: boolean): IDataObject {
	const { raw, ...rest } = event as WebhookEvent & { raw: unknown };
	return (includeRaw ? { ...rest, raw } : rest) as IDataObject;
}
