/**
 * Template + values → the Graph API JSON of docs/meta-cloud-api.md §1, validated before any paid call.
 * Every problem is reported at once, each naming its field and the fix.
 */

import type { MessageTemplate, TemplateComponent } from '../cloud-api/types';
import { normalisePhone, phoneFieldMessage } from '../phone';
import { sendableStatus, statusAdvice, templateRules, type ButtonSubType } from './message-rules';
import { inspectTemplate, type TemplateShape, type TemplateSlot } from './slots';
import {
	checkBodyValue,
	fieldName,
	checkCoordinate,
	checkCouponCode,
	checkFlowActionData,
	checkHeaderText,
	checkMedia,
	checkOtpCode,
	checkPayload,
	checkPlainText,
	checkUrlSuffix,
	isEmptyValue,
	type BinaryResolver,
	type Checked,
	type GraphParameter,
	type MediaRef,
	type MediaUpload,
} from './values';
import type { MediaFile } from '../media/file';
import type { MediaType } from '../media/upload-limits';

/** One problem of a build, naming the field. */
export interface FieldError {
	/** A slot id (`body.1`, `button.0.payload`…), or `template`, `to`, `callbackData`, `header`, `body`. */
	field: string;
	message: string;
}

export type GraphComponent =
	| { type: 'header' | 'body'; parameters: GraphParameter[] }
	| { type: 'button'; sub_type: ButtonSubType; index: string; parameters: GraphParameter[] };

/** The Graph API JSON of a template send. */
export interface TemplateMessagePayload {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	/** wa_id form: digits with country code, no "+" */
	to: string;
	type: 'template';
	biz_opaque_callback_data?: string;
	template: {
		name: string;
		language: { code: string };
		components?: GraphComponent[];
	};
}

/** The recipient's number as E.164 and wa_id. */
export interface Recipient {
	e164: string;
	waId: string;
	country?: string;
}

/** The template's texts as the recipient will see them. */
export interface RenderedTemplate {
	/** Header text with its value filled (absent for media and location headers). */
	header?: string;
	body: string;
	footer?: string;
	/** Button labels, in order. */
	buttons: string[];
}

/** A template, the recipient and the values to build a send from. */
export interface BuildTemplateInput {
	template: MessageTemplate;
	/** Recipient phone as typed: E.164, wa_id digits, or national with defaultCountry. */
	to: unknown;
	/** Values keyed by slot id (see describeSlots). Empty values (undefined, null, "") count as not given. */
	values?: Record<string, unknown>;
	/** biz_opaque_callback_data: echoed back in status webhooks, at most 512 characters. */
	callbackData?: string;
	/** ISO 3166 alpha-2 country for numbers written without country code, e.g. AR. */
	defaultCountry?: string;
	/** Reads the item's binary properties: without it a media slot takes links and media IDs only. */
	binary?: BinaryResolver;
}

/**
 * A header file still to upload: `ref` is the media object inside the payload, which has neither `id` nor `link`
 * until attachMedia() gives it the uploaded ID. A payload with pending media must never be sent as it is.
 */
export interface PendingMedia {
	/** The slot id (`header`) */
	field: string;
	/** The field as the editor shows it */
	label: string;
	mediaType: MediaType;
	file: MediaFile;
	ref: MediaRef;
}

export type BuildTemplateResult =
	| {
			ok: true;
			payload: TemplateMessagePayload;
			renderedText: string;
			rendered: RenderedTemplate;
			recipient: Recipient;
			media?: PendingMedia[];
	  }
	| { ok: false; errors: FieldError[] };

/** Gives an uploaded media ID to the payload's media object. */
export function attachMedia(pending: PendingMedia, mediaId: string): void {
	pending.ref.id = mediaId;
}

type SlotResult = { slot: TemplateSlot; checked: Checked<unknown> };

function componentText(
	template: MessageTemplate,
	type: TemplateComponent['type'],
): string | undefined {
	return template.components.find((component) => component.type?.toUpperCase() === type)?.text;
}

/** Replaces each {{variable}} by its value as WhatsApp will show it. */
function fill(text: string, shown: Map<string, string>): string {
	return text.replace(
		templateRules.variablePattern,
		(whole, variable: string) => shown.get(variable) ?? whole,
	);
}

function checkStatus(template: MessageTemplate): FieldError | undefined {
	if (template.status === sendableStatus) return undefined;
	const advice =
		statusAdvice[template.status] ??
		'only APPROVED templates can be sent: choose an approved template';
	return {
		field: 'template',
		message: `template "${template.name}" in ${template.language} is ${template.status}: ${advice}`,
	};
}

function checkCallbackData(callbackData: unknown): FieldError | string | undefined {
	if (isEmptyValue(callbackData)) return undefined;
	if (typeof callbackData !== 'string') {
		return {
			field: 'callbackData',
			message: `callbackData is ${typeof callbackData}: give text (e.g. a campaign or query id), at most ${templateRules.callbackDataMaxLength} characters`,
		};
	}
	if (callbackData.length > templateRules.callbackDataMaxLength) {
		return {
			field: 'callbackData',
			message: `callbackData is ${callbackData.length} characters; WhatsApp echoes at most ${templateRules.callbackDataMaxLength}: use a shorter id`,
		};
	}
	return callbackData;
}

/** Says why a value key is not a field of this template, and what to map instead. */
function explainExtra(key: string, shape: TemplateShape, templateName: string): string {
	const ids = shape.slots.map((slot) => slot.id);
	const bodyIds = ids.filter((id) => id.startsWith('body.'));
	const variable = key.startsWith('body.') ? key.slice('body.'.length) : key;
	const isPositional = templateRules.positionalName.test(variable);
	if (key.startsWith('body.') && shape.parameterFormat === 'NAMED' && isPositional) {
		return `${key}: template "${templateName}" uses named variables: map ${bodyIds.join(', ')} instead of numbered ones`;
	}
	if (key.startsWith('body.') && shape.parameterFormat === 'POSITIONAL' && !isPositional) {
		return `${key}: template "${templateName}" uses numbered variables: map ${bodyIds.join(', ') || 'no body variables'} instead of named ones`;
	}
	const guess = ids.find((id) => id.endsWith(`.${key}`));
	if (guess)
		return `${key} is not a field id of template "${templateName}": did you mean ${guess}?`;
	return `${key} is not a field of template "${templateName}"${ids.length ? ` (its fields: ${ids.join(', ')})` : ' (it takes no values)'}: remove it`;
}

function checkSlot(
	slot: TemplateSlot,
	value: unknown,
	template: MessageTemplate,
	shape: TemplateShape,
	binary?: BinaryResolver,
): Checked<unknown> {
	switch (slot.kind) {
		case 'header_text':
			return checkHeaderText(slot, value);
		case 'body': {
			const max = shape.bodyOnly
				? templateRules.bodyOnlyTextMaxLength
				: templateRules.bodyTextMaxLength;
			return checkBodyValue(slot, value, max, template.category === 'AUTHENTICATION');
		}
		case 'media':
			return checkMedia(slot, value, binary);
		case 'latitude':
		case 'longitude':
			return checkCoordinate(slot, value);
		case 'url_suffix': {
			const buttons =
				template.components.find((component) => component.type?.toUpperCase() === 'BUTTONS')
					?.buttons ?? [];
			return checkUrlSuffix(slot, value, buttons[slot.buttonIndex ?? -1]?.url ?? '');
		}
		case 'coupon_code':
			return checkCouponCode(slot, value);
		case 'payload':
			return checkPayload(slot, value);
		case 'otp_code':
			return checkOtpCode(slot, value);
		case 'flow_action_data':
			return checkFlowActionData(slot, value);
		case 'media_filename':
		case 'location_name':
		case 'location_address':
		case 'flow_token':
		case 'catalog_thumbnail':
			return checkPlainText(slot, value);
	}
}

function headerComponent(results: SlotResult[], media: PendingMedia[]): GraphComponent | undefined {
	const byId = new Map(results.map((result) => [result.slot.id, result]));
	const value = (id: string): unknown => {
		const result = byId.get(id);
		return result?.checked.ok ? result.checked.value : undefined;
	};
	const main = byId.get('header');
	if (main?.slot.kind === 'header_text')
		return { type: 'header', parameters: [value('header') as GraphParameter] };
	if (main?.slot.kind === 'media' && main.slot.mediaType) {
		const mediaType = main.slot.mediaType;
		const given = value('header') as MediaRef | MediaUpload;
		const upload = 'file' in given ? given : undefined;
		const ref: MediaRef = upload ? {} : { ...(given as MediaRef) };
		const filename = value('header.filename');
		if (typeof filename === 'string') ref.filename = filename;
		else if (upload && mediaType === 'document' && upload.file.fileName)
			ref.filename = upload.file.fileName;
		if (upload)
			media.push({
				field: main.slot.id,
				label: main.slot.displayName,
				mediaType,
				file: upload.file,
				ref,
			});
		const parameter = { type: mediaType, [mediaType]: ref } as GraphParameter;
		return { type: 'header', parameters: [parameter] };
	}
	if (byId.has('header.latitude')) {
		const location = {
			latitude: value('header.latitude') as number,
			longitude: value('header.longitude') as number,
			name: value('header.name') as string,
			address: value('header.address') as string,
		};
		return { type: 'header', parameters: [{ type: 'location', location }] };
	}
	return undefined;
}

function buttonComponents(
	slots: TemplateSlot[],
	results: Map<string, SlotResult>,
): GraphComponent[] {
	const components: GraphComponent[] = [];
	const indexes = [
		...new Set(
			slots.filter((slot) => slot.component === 'button').map((slot) => slot.buttonIndex as number),
		),
	];
	const given = (id: string): unknown => {
		const result = results.get(id);
		return result?.checked.ok ? result.checked.value : undefined;
	};
	for (const index of indexes) {
		const slot = slots.find((candidate) => candidate.buttonIndex === index) as TemplateSlot;
		const button = (parameters: GraphParameter[]): GraphComponent => ({
			type: 'button',
			sub_type: slot.buttonSubType as ButtonSubType,
			index: String(index),
			parameters,
		});
		const id = (suffix: string): string => `button.${index}.${suffix}`;
		switch (slot.kind) {
			case 'payload': {
				const payload = given(id('payload'));
				if (typeof payload === 'string') components.push(button([{ type: 'payload', payload }]));
				break;
			}
			case 'url_suffix':
				components.push(button([{ type: 'text', text: given(id('url')) as string }]));
				break;
			case 'otp_code':
				components.push(button([{ type: 'text', text: given(id('code')) as string }]));
				break;
			case 'coupon_code':
				components.push(
					button([{ type: 'coupon_code', coupon_code: given(id('coupon_code')) as string }]),
				);
				break;
			case 'flow_token': {
				// Sent even when empty: Meta rejects flow templates without the button component.
				const token = given(id('flow_token'));
				const data = given(id('flow_action_data')) as Record<string, unknown> | undefined;
				const action = {
					flow_token: typeof token === 'string' ? token : templateRules.defaultFlowToken,
					...(data ? { flow_action_data: data } : {}),
				};
				components.push(button([{ type: 'action', action }]));
				break;
			}
			case 'catalog_thumbnail': {
				const thumbnail = given(id('catalog'));
				if (typeof thumbnail === 'string')
					components.push(
						button([{ type: 'action', action: { thumbnail_product_retailer_id: thumbnail } }]),
					);
				break;
			}
			default:
				break;
		}
	}
	return components;
}

function render(template: MessageTemplate, results: SlotResult[]): RenderedTemplate {
	// Header and body number their variables separately: header {{1}} is not body {{1}}.
	const shownIn = (component: 'header' | 'body'): Map<string, string> => {
		const shown = new Map<string, string>();
		for (const { slot, checked } of results) {
			if (slot.component === component && slot.variable !== undefined && checked.ok)
				shown.set(slot.variable, checked.shown);
		}
		return shown;
	};
	const header = template.components.find(
		(component) => component.type?.toUpperCase() === 'HEADER',
	);
	const headerText =
		header && String(header.format ?? 'TEXT').toUpperCase() === 'TEXT' && header.text
			? fill(header.text, shownIn('header'))
			: undefined;
	const buttons =
		template.components.find((component) => component.type?.toUpperCase() === 'BUTTONS')?.buttons ??
		[];
	return {
		...(headerText !== undefined ? { header: headerText } : {}),
		body: fill(componentText(template, 'BODY') ?? '', shownIn('body')),
		...(componentText(template, 'FOOTER') ? { footer: componentText(template, 'FOOTER') } : {}),
		buttons: buttons.map((button) => button.text ?? '').filter((text) => text !== ''),
	};
}

/** The text WhatsApp shows for a rendered template: header, body and footer separated by blank lines. */
export function renderedToText(rendered: RenderedTemplate): string {
	return [rendered.header, rendered.body, rendered.footer]
		.filter((part) => part !== undefined && part !== '')
		.join('\n\n');
}

/**
 * A template plus values (keyed by slot id, see describeSlots; undefined / null / "" mean "not given", value
 * kinds in values.ts) → the Graph API send JSON, or every problem at once, each naming its field. Checks the
 * template is APPROVED and fillable, the phone (E.164, `defaultCountry`), required and extra values (named vs
 * positional mix-ups explained), kinds, lengths (rendered header and body → 132005), media links, coordinates,
 * coupon codes, URL suffixes and callback data. Header files come back as `media`: the payload must not be sent
 * before attachMedia() gives each its uploaded ID.
 */
export function buildTemplateMessage(input: BuildTemplateInput): BuildTemplateResult {
	const { template } = input;
	const values = input.values ?? {};
	const errors: FieldError[] = [];

	const statusError = checkStatus(template);
	if (statusError) errors.push(statusError);
	const shape = inspectTemplate(template);
	errors.push(...shape.problems);

	const phone = normalisePhone(input.to, input.defaultCountry);
	if (!phone.ok) errors.push({ field: 'to', message: phoneFieldMessage(phone.reason) });
	const callbackData = checkCallbackData(input.callbackData);
	if (typeof callbackData === 'object') errors.push(callbackData);

	const results: SlotResult[] = [];
	for (const slot of shape.slots) {
		let value = values[slot.id];
		// A value borrowed from another slot (authentication code) is reported under that slot only.
		const borrowed = isEmptyValue(value) && slot.defaultFrom !== undefined;
		if (borrowed && slot.defaultFrom) value = values[slot.defaultFrom];
		if (isEmptyValue(value)) {
			if (slot.required) {
				errors.push({
					field: slot.id,
					message: `${fieldName(slot)} is missing: map a value. ${slot.hint}`,
				});
			}
			continue;
		}
		const checked = checkSlot(slot, value, template, shape, input.binary);
		if (!checked.ok && !borrowed) errors.push({ field: slot.id, message: checked.message });
		results.push({ slot, checked });
	}

	const slotIds = new Set(shape.slots.map((slot) => slot.id));
	for (const [key, value] of Object.entries(values)) {
		if (slotIds.has(key) || isEmptyValue(value)) continue;
		errors.push({ field: key, message: explainExtra(key, shape, template.name) });
	}

	const rendered = render(template, results);
	if (rendered.header !== undefined && rendered.header.length > templateRules.headerTextMaxLength) {
		errors.push({
			field: 'header',
			message: `the header with its value filled in is ${rendered.header.length} characters; WhatsApp allows ${templateRules.headerTextMaxLength}: shorten the header value`,
		});
	}
	const bodyMax = shape.bodyOnly
		? templateRules.renderedBodyOnlyMaxLength
		: templateRules.renderedBodyMaxLength;
	if (rendered.body.length > bodyMax) {
		const bodyFields = shape.slots
			.filter((slot) => slot.component === 'body')
			.map((slot) => slot.id);
		errors.push({
			field: 'body',
			message: `the body with its values filled in is ${rendered.body.length} characters; WhatsApp allows ${bodyMax} (error 132005): shorten ${bodyFields.join(', ') || 'the values'}`,
		});
	}

	if (errors.length > 0 || !phone.ok) return { ok: false, errors };

	const components: GraphComponent[] = [];
	const media: PendingMedia[] = [];
	const header = headerComponent(
		results.filter((result) => result.slot.component === 'header'),
		media,
	);
	if (header) components.push(header);
	const bodyParameters = results
		.filter((result) => result.slot.component === 'body')
		.map((result) => result.checked.ok && (result.checked.value as GraphParameter));
	if (bodyParameters.length > 0)
		components.push({ type: 'body', parameters: bodyParameters as GraphParameter[] });
	components.push(
		...buttonComponents(shape.slots, new Map(results.map((result) => [result.slot.id, result]))),
	);

	const payload: TemplateMessagePayload = {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: phone.waId,
		type: 'template',
		...(typeof callbackData === 'string' ? { biz_opaque_callback_data: callbackData } : {}),
		template: {
			name: template.name,
			language: { code: template.language },
			...(components.length > 0 ? { components } : {}),
		},
	};
	return {
		ok: true,
		payload,
		renderedText: renderedToText(rendered),
		rendered,
		recipient: { e164: phone.e164, waId: phone.waId, country: phone.country },
		...(media.length > 0 ? { media } : {}),
	};
}
