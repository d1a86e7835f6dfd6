/**
 * Reads a template definition (Meta's shape) and lists the values it really needs at send time:
 * one slot per input field, each with a stable id usable as an n8n resource-mapper field id.
 */

import type { MessageTemplate, TemplateButton, TemplateComponent } from '../cloud-api/types';
import { formatBytes, mediaRules } from '../media/upload-limits';
import {
	buttonSubTypes,
	mediaHeaderFormats,
	staticButtonTypes,
	templateRules,
	type ButtonSubType,
} from './message-rules';

export type SlotKind =
	/** Header text variable. */
	| 'header_text'
	/** Body variable: text, or a currency / date_time object. */
	| 'body'
	/** Header image / video / document: https link or media ID. */
	| 'media'
	/** Optional file name shown for a document header. */
	| 'media_filename'
	| 'latitude'
	| 'longitude'
	| 'location_name'
	| 'location_address'
	| 'payload'
	| 'url_suffix'
	| 'coupon_code'
	/** Authentication templates: the code carried by the copy-code / one-tap button. */
	| 'otp_code'
	| 'flow_token'
	| 'flow_action_data'
	| 'catalog_thumbnail';

export type SlotComponent = 'header' | 'body' | 'button';
export type { MediaType } from '../media/upload-limits';
import type { MediaType } from '../media/upload-limits';

/** One value a template takes at send time. */
export interface TemplateSlot {
	/** Stable id: `header`, `header.latitude`, `body.1`, `body.first_name`, `button.0.payload`, `button.1.url`… */
	id: string;
	displayName: string;
	kind: SlotKind;
	component: SlotComponent;
	required: boolean;
	/** What to give, with the template's example when it has one. */
	hint: string;
	/** The template's example value, when given. */
	example?: string;
	/** Whether the value is text (false for coordinates, media, flow data). */
	isText: boolean;
	/** Variable of header / body slots: "1" or "first_name". */
	variable?: string;
	/** Set for NAMED templates: sent as `parameter_name`. */
	parameterName?: string;
	mediaType?: MediaType;
	buttonIndex?: number;
	buttonSubType?: ButtonSubType;
	buttonText?: string;
	maxLength?: number;
	/** When this optional slot is empty, the value of that slot is used (authentication code button ← body.1). */
	defaultFrom?: string;
}

export type ParameterFormat = 'POSITIONAL' | 'NAMED';

/** A template definition problem: the template cannot be sent by this builder as it is. */
export interface TemplateProblem {
	field: string;
	message: string;
}

/** A template's slots, parameter format and definition problems. */
export interface TemplateShape {
	slots: TemplateSlot[];
	parameterFormat: ParameterFormat;
	/** True when the template has only a body (longer text parameters are then allowed). */
	bodyOnly: boolean;
	problems: TemplateProblem[];
}

/** Variables of a text in order of first appearance, without repeats. */
export function extractVariables(text: string | undefined): string[] {
	if (!text) return [];
	const seen: string[] = [];
	for (const match of text.matchAll(templateRules.variablePattern)) {
		if (!seen.includes(match[1])) seen.push(match[1]);
	}
	return seen;
}

function findComponent(
	template: MessageTemplate,
	type: TemplateComponent['type'],
): TemplateComponent | undefined {
	return template.components.find((component) => component.type?.toUpperCase() === type);
}

function quote(value: string | undefined): string {
	return value === undefined || value === '' ? '' : ` (e.g. "${value}")`;
}

function exampleOf(
	component: TemplateComponent,
	part: 'header' | 'body',
	variable: string,
	position: number,
): string | undefined {
	const example = component.example;
	if (!example) return undefined;
	const named =
		part === 'header' ? example.header_text_named_params : example.body_text_named_params;
	const namedHit = named?.find((entry) => entry.param_name === variable);
	if (namedHit) return namedHit.example;
	if (part === 'header') return example.header_text?.[position];
	return example.body_text?.[0]?.[position];
}

/** Lists the slots and any definition problem of a template. */
export function inspectTemplate(template: MessageTemplate): TemplateShape {
	const slots: TemplateSlot[] = [];
	const problems: TemplateProblem[] = [];
	const header = findComponent(template, 'HEADER');
	const body = findComponent(template, 'BODY');
	const isAuthentication = template.category === 'AUTHENTICATION';

	for (const component of template.components) {
		const type = String(component.type ?? '').toUpperCase();
		if (!['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(type)) {
			problems.push({
				field: 'template',
				message: `template "${template.name}" has a ${type} component, which this node cannot fill yet: choose another template`,
			});
		}
	}

	// Header and body share one variable style; parameter_format says which, else the variables do.
	const headerVariables =
		header && String(header.format ?? 'TEXT').toUpperCase() === 'TEXT'
			? extractVariables(header.text)
			: [];
	const bodyVariables = extractVariables(body?.text);
	const allVariables = [...headerVariables, ...bodyVariables];
	const positional = allVariables.filter((name) => templateRules.positionalName.test(name));
	const named = allVariables.filter(
		(name) =>
			templateRules.namedParameterName.test(name) && !templateRules.positionalName.test(name),
	);
	const invalid = allVariables.filter(
		(name) => !positional.includes(name) && !named.includes(name),
	);
	for (const name of invalid) {
		problems.push({
			field: 'template',
			message: `template "${template.name}" has a variable {{${name}}} that is neither {{1}}-style nor a lowercase name: fix the template in WhatsApp Manager`,
		});
	}
	const declared = template.parameter_format?.toUpperCase() as ParameterFormat | undefined;
	const parameterFormat: ParameterFormat =
		declared ?? (named.length > 0 && positional.length === 0 ? 'NAMED' : 'POSITIONAL');
	if (parameterFormat === 'NAMED' && positional.length > 0) {
		problems.push({
			field: 'template',
			message: `template "${template.name}" is declared NAMED but uses {{${positional[0]}}}: named templates use {{first_name}}-style variables only`,
		});
	}
	if (parameterFormat === 'POSITIONAL' && named.length > 0) {
		problems.push({
			field: 'template',
			message: `template "${template.name}" uses {{${named[0]}}} but is not declared NAMED (parameter_format): positional templates use {{1}}, {{2}}…`,
		});
	}
	const isNamed = parameterFormat === 'NAMED';

	if (header) addHeaderSlots(template, header, headerVariables, isNamed, slots, problems);
	if (body) addBodySlots(body, bodyVariables, isNamed, isAuthentication, slots);
	const buttons = findComponent(template, 'BUTTONS');
	buttons?.buttons?.forEach((button, index) =>
		addButtonSlots(template, button, index, isAuthentication, slots, problems),
	);

	const bodyOnly =
		template.components.length > 0 &&
		template.components.every((component) => component.type?.toUpperCase() === 'BODY');
	return { slots, parameterFormat, bodyOnly, problems };
}

/**
 * The slots a template really has, in send order (header, body, buttons). Slot ids: `header` (header text
 * variable, or the image / video / document), `header.filename` (document, optional), `header.latitude`
 * `header.longitude` `header.name` `header.address` (location header), `body.1` … (positional) or
 * `body.first_name` … (NAMED templates), and per button N (its index in the template) `button.N.payload`
 * (quick reply, optional), `button.N.url` (the suffix of a URL with {{1}}), `button.N.coupon_code`,
 * `button.N.code` (authentication, defaults to `body.1`), `button.N.flow_token` / `button.N.flow_action_data`,
 * `button.N.catalog`.
 */
export function describeSlots(template: MessageTemplate): TemplateSlot[] {
	return inspectTemplate(template).slots;
}

function addHeaderSlots(
	template: MessageTemplate,
	header: TemplateComponent,
	variables: string[],
	isNamed: boolean,
	slots: TemplateSlot[],
	problems: TemplateProblem[],
): void {
	const format = String(header.format ?? 'TEXT').toUpperCase();
	if (format === 'TEXT') {
		if (variables.length > 1) {
			problems.push({
				field: 'header',
				message: `template "${template.name}" has ${variables.length} header variables; WhatsApp allows one: fix the template`,
			});
		}
		const variable = variables[0];
		if (variable === undefined) return;
		const example = exampleOf(header, 'header', variable, 0);
		slots.push({
			id: 'header',
			displayName: `Header {{${variable}}}`,
			kind: 'header_text',
			component: 'header',
			required: true,
			hint: `Text for {{${variable}}} in the header "${header.text}", at most ${templateRules.headerTextMaxLength} characters, one line${quote(example)}`,
			example,
			isText: true,
			variable,
			parameterName: isNamed ? variable : undefined,
			maxLength: templateRules.headerTextMaxLength,
		});
		return;
	}
	const mediaFormat = mediaHeaderFormats.find((candidate) => candidate === format);
	if (mediaFormat) {
		const mediaType = mediaFormat.toLowerCase() as MediaType;
		const rule = mediaRules[mediaType];
		const kinds =
			mediaType === 'document'
				? 'PDF or Office document'
				: rule.mimeTypes.map((type) => type.split('/')[1].toUpperCase()).join(' or ');
		slots.push({
			id: 'header',
			displayName: `Header ${mediaType}: link, media ID or binary property`,
			kind: 'media',
			component: 'header',
			required: true,
			hint: `The header ${mediaType}: an https:// link Meta can download, a media ID, or the name of a binary property of the item (e.g. data; ${kinds}, up to ${formatBytes(rule.maxBytes)}) to upload`,
			isText: false,
			mediaType,
		});
		if (rule.carriesFileName) {
			slots.push({
				id: 'header.filename',
				displayName: 'Header document: file name shown (optional)',
				kind: 'media_filename',
				component: 'header',
				required: false,
				hint: 'File name the recipient sees, e.g. "invoice-1042.pdf"; default: the binary file\'s own name',
				isText: true,
			});
		}
		return;
	}
	if (format === 'LOCATION') {
		const part = (
			id: string,
			kind: SlotKind,
			displayName: string,
			hint: string,
			isText: boolean,
		): void => {
			slots.push({ id, displayName, kind, component: 'header', required: true, hint, isText });
		};
		part(
			'header.latitude',
			'latitude',
			'Header location: latitude',
			'Latitude in decimal degrees, -90 to 90, e.g. -34.6037',
			false,
		);
		part(
			'header.longitude',
			'longitude',
			'Header location: longitude',
			'Longitude in decimal degrees, -180 to 180, e.g. -58.3816',
			false,
		);
		part(
			'header.name',
			'location_name',
			'Header location: name',
			'Name of the place, e.g. "SaludCenter Palermo"',
			true,
		);
		part(
			'header.address',
			'location_address',
			'Header location: address',
			'Address of the place, e.g. "Av. Santa Fe 3200, Buenos Aires"',
			true,
		);
		return;
	}
	problems.push({
		field: 'header',
		message: `template "${template.name}" has a ${format} header, which this node cannot fill yet: choose another template`,
	});
}

function addBodySlots(
	body: TemplateComponent,
	variables: string[],
	isNamed: boolean,
	isAuthentication: boolean,
	slots: TemplateSlot[],
): void {
	const ordered = isNamed ? variables : [...variables].sort((a, b) => Number(a) - Number(b));
	ordered.forEach((variable, position) => {
		const example = exampleOf(body, 'body', variable, isNamed ? position : Number(variable) - 1);
		const maxLength = isAuthentication ? templateRules.authenticationCodeMaxLength : undefined;
		slots.push({
			id: `body.${variable}`,
			displayName: `Body {{${variable}}}${isAuthentication ? ': verification code' : ''}`,
			kind: 'body',
			component: 'body',
			required: true,
			hint: isAuthentication
				? `The one-time code, at most ${templateRules.authenticationCodeMaxLength} characters${quote(example)}`
				: `Text for {{${variable}}}, one line${quote(example)}; or a currency {fallback_value, code, amount_1000} or date_time {fallback_value} object`,
			example,
			isText: true,
			variable,
			parameterName: isNamed ? variable : undefined,
			maxLength,
		});
	});
}

function addButtonSlots(
	template: MessageTemplate,
	button: TemplateButton,
	index: number,
	isAuthentication: boolean,
	slots: TemplateSlot[],
	problems: TemplateProblem[],
): void {
	const type = String(button.type ?? '').toUpperCase();
	const label = button.text ? `"${button.text}" button` : `Button ${index}`;
	const base = { component: 'button' as const, buttonIndex: index, buttonText: button.text };
	const example = Array.isArray(button.example) ? button.example[0] : button.example;

	// Authentication templates: the OTP button is read back as URL; it carries the same code as the body.
	if (type === 'OTP' || (isAuthentication && type === 'URL')) {
		slots.push({
			...base,
			id: `button.${index}.code`,
			displayName: `${label}: code (optional, defaults to the body code)`,
			kind: 'otp_code',
			required: false,
			hint: 'The code the button copies or autofills; leave empty to use the body code',
			isText: true,
			buttonSubType: buttonSubTypes.OTP,
			maxLength: templateRules.authenticationCodeMaxLength,
			defaultFrom: 'body.1',
		});
		return;
	}
	switch (type) {
		case 'QUICK_REPLY':
			slots.push({
				...base,
				id: `button.${index}.payload`,
				displayName: `${label} payload`,
				kind: 'payload',
				required: false,
				hint: 'Returned in the webhook when the user taps the button (e.g. an appointment id); optional',
				isText: true,
				buttonSubType: buttonSubTypes.QUICK_REPLY,
			});
			return;
		case 'URL': {
			if (!button.url || extractVariables(button.url).length === 0) return; // static URL: nothing to fill
			const prefix = button.url.slice(0, button.url.indexOf('{{'));
			const suffixExample = example?.startsWith(prefix) ? example.slice(prefix.length) : example;
			slots.push({
				...base,
				id: `button.${index}.url`,
				displayName: `${label}: end of ${prefix}…`,
				kind: 'url_suffix',
				required: true,
				hint: `The end of the link ${button.url}, URL-encoded, no spaces${quote(suffixExample)}`,
				example: suffixExample,
				isText: true,
				buttonSubType: buttonSubTypes.URL,
			});
			return;
		}
		case 'COPY_CODE':
			slots.push({
				...base,
				id: `button.${index}.coupon_code`,
				displayName: `${label}: coupon code`,
				kind: 'coupon_code',
				required: true,
				hint: `The code copied when tapped: letters and digits, at most ${templateRules.couponCodeMaxLength}${quote(example)}`,
				example,
				isText: true,
				buttonSubType: buttonSubTypes.COPY_CODE,
				maxLength: templateRules.couponCodeMaxLength,
			});
			return;
		case 'FLOW':
			slots.push({
				...base,
				id: `button.${index}.flow_token`,
				displayName: `${label}: flow token (optional)`,
				kind: 'flow_token',
				required: false,
				hint: `Identifies this flow session in the flow's webhook; default "${templateRules.defaultFlowToken}"`,
				isText: true,
				buttonSubType: buttonSubTypes.FLOW,
			});
			slots.push({
				...base,
				id: `button.${index}.flow_action_data`,
				displayName: `${label}: flow data (optional JSON object)`,
				kind: 'flow_action_data',
				required: false,
				hint: 'Initial data for the first screen of the flow, as a JSON object',
				isText: false,
				buttonSubType: buttonSubTypes.FLOW,
			});
			return;
		case 'CATALOG':
			slots.push({
				...base,
				id: `button.${index}.catalog`,
				displayName: `${label}: thumbnail product retailer ID (optional)`,
				kind: 'catalog_thumbnail',
				required: false,
				hint: 'Content ID of the catalog item whose image heads the message; default: the first item',
				isText: true,
				buttonSubType: buttonSubTypes.CATALOG,
			});
			return;
		default:
			if (staticButtonTypes.includes(type)) return;
			problems.push({
				field: `button.${index}`,
				message: `template "${template.name}" has a ${type} button, which this node cannot fill yet: choose another template`,
			});
	}
}
