/**
 * Builders of webhook `changes[]` entries in Meta's exact shape (docs/meta-cloud-api.md §3):
 * message statuses, inbound user messages, marketing preferences and template status updates.
 */
import type { MessageTemplate } from '../lib/cloud-api/types';
import { webhookError, type ErrorCode } from './errors';

export interface WebhookChange {
	field: string;
	value: Record<string, unknown>;
}

/** Who the business number is, as webhook metadata shows it */
export interface BusinessIdentity {
	displayDigits: string;
	phoneNumberId: string;
}

export interface Pricing {
	billable: boolean;
	pricing_model: 'PMP';
	type: 'regular' | 'free_customer_service' | 'free_entry_point';
	category: string;
}

export interface Conversation {
	id: string;
	expiration_timestamp: string;
	origin: { type: string };
}

export function seconds(epochMs: number): string {
	return String(Math.floor(epochMs / 1000));
}

function metadata(business: BusinessIdentity) {
	return { display_phone_number: business.displayDigits, phone_number_id: business.phoneNumberId };
}

export function statusChange(
	business: BusinessIdentity,
	status: {
		id: string;
		status: 'sent' | 'delivered' | 'read' | 'failed';
		at: number;
		recipientId: string;
		bizOpaqueCallbackData?: string;
		pricing?: Pricing;
		conversation?: Conversation;
		error?: { code: ErrorCode; details?: string };
	},
): WebhookChange {
	const entry: Record<string, unknown> = {
		id: status.id,
		status: status.status,
		timestamp: seconds(status.at),
		recipient_id: status.recipientId,
	};
	if (status.bizOpaqueCallbackData !== undefined)
		entry.biz_opaque_callback_data = status.bizOpaqueCallbackData;
	if (status.error) {
		entry.errors = [webhookError(status.error.code, status.error.details)];
	} else {
		if (status.conversation) entry.conversation = status.conversation;
		if (status.pricing) entry.pricing = status.pricing;
	}
	return {
		field: 'messages',
		value: { messaging_product: 'whatsapp', metadata: metadata(business), statuses: [entry] },
	};
}

export function messageChange(
	business: BusinessIdentity,
	contact: { waId: string; name?: string; userId?: string },
	message: Record<string, unknown>,
): WebhookChange {
	const contactEntry: Record<string, unknown> = {
		profile: { name: contact.name ?? '' },
		wa_id: contact.waId,
	};
	if (contact.userId) contactEntry.user_id = contact.userId;
	return {
		field: 'messages',
		value: {
			messaging_product: 'whatsapp',
			metadata: metadata(business),
			contacts: [contactEntry],
			messages: [message],
		},
	};
}

/** Marketing opt-out or opt-in from the user's side (field user_preferences) */
export function userPreferencesChange(
	business: BusinessIdentity,
	contact: { waId: string; name?: string },
	value: 'stop' | 'resume',
	at: number,
): WebhookChange {
	return {
		field: 'user_preferences',
		value: {
			messaging_product: 'whatsapp',
			metadata: metadata(business),
			contacts: [{ profile: { name: contact.name ?? '' }, wa_id: contact.waId }],
			user_preferences: [
				{
					wa_id: contact.waId,
					detail:
						value === 'stop'
							? 'User requested to stop marketing messages'
							: 'User requested to resume marketing messages',
					category: 'marketing_messages',
					value,
					timestamp: Number(seconds(at)),
				},
			],
		},
	};
}

export function templateStatusChange(template: MessageTemplate, reason = 'NONE'): WebhookChange {
	return {
		field: 'message_template_status_update',
		value: {
			event: template.status,
			message_template_id: Number(template.id),
			message_template_name: template.name,
			message_template_language: template.language,
			reason,
			message_template_category: template.category,
		},
	};
}
