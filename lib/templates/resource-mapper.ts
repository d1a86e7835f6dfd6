/** Slots → n8n resource-mapper fields (the node's "parameters from the template" form). */

import type { FieldType, ResourceMapperField } from 'n8n-workflow';
import type { SlotKind, TemplateSlot } from './slots';

const fieldTypes: Record<SlotKind, FieldType> = {
	header_text: 'string',
	body: 'string',
	media: 'string',
	media_filename: 'string',
	latitude: 'number',
	longitude: 'number',
	location_name: 'string',
	location_address: 'string',
	payload: 'string',
	url_suffix: 'string',
	coupon_code: 'string',
	otp_code: 'string',
	flow_token: 'string',
	flow_action_data: 'object',
	catalog_thumbnail: 'string',
};

/** One field per slot, ids unchanged so the mapped value object is keyed by slot id. */
export function toResourceMapperFields(slots: TemplateSlot[]): ResourceMapperField[] {
	return slots.map((slot) => ({
		id: slot.id,
		displayName: slot.displayName,
		required: slot.required,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: fieldTypes[slot.kind],
	}));
}
