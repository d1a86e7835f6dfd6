/**
 * Meta's stateless send rules: the recipient number, and the message body checked against the template
 * catalogue (name + language + status, parameter count and format, named vs positional, text rules).
 * Each refusal is a SandboxError carrying Meta's code and a `details` text that names the component.
 * Stateful rules (window, throughput, pair rate, opt-out) live in sandbox.ts.
 */
import { isPossiblePhoneNumber } from 'libphonenumber-js';

import type { Catalogue, CompiledTemplate } from './template-catalogue';
import { SandboxError } from './errors';

/** Meta's limits on text, as data */
export const TEXT_LIMITS = {
	headerParameter: 60,
	bodyHydrated: 1024,
	bodyOnlyHydrated: 32_768,
	textMessage: 4096,
	couponCode: 15,
	consecutiveSpaces: 4,
	bizOpaqueCallbackData: 512,
	quickReplyPayload: 1000,
} as const;

const FORBIDDEN_PARAMETER_TEXT = new RegExp(`[\\n\\t]| {${TEXT_LIMITS.consecutiveSpaces + 1},}`);
const PARAMETER_TEXT_DETAILS =
	'Param text cannot have new-line/tab characters or more than 4 consecutive spaces';

/** Free-form message types Meta accepts on the messages endpoint */
export const FREE_FORM_TYPES = new Set([
	'text',
	'image',
	'video',
	'audio',
	'document',
	'sticker',
	'location',
	'contacts',
	'interactive',
	'reaction',
]);
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

export interface CheckedTemplate {
	compiled: CompiledTemplate;
	rendered: { header?: string; body: string };
	/** The payload the business attached to each quick-reply button, by button index */
	quickReplyPayloads: Array<string | undefined>;
}

export interface CheckedMessage {
	type: string;
	template?: CheckedTemplate;
	/** Free-form text body */
	text?: string;
	/** Reply buttons of an interactive message, so "X taps Y" can answer them */
	interactiveButtons?: Array<{ id: string; title: string }>;
}

const recipientCache = new Map<string, string | SandboxError>();

/**
 * The recipient's wa_id (digits) for a `to` value, or Meta's refusal: 100 for a missing or malformed value
 * (letters, a 00 prefix), 131009 for a number of impossible length, 131021 for the business's own number.
 */
export function checkRecipient(to: unknown, ownDigits: string): string {
	if (to === undefined || to === null || to === '') {
		throw new SandboxError(
			100,
			'to: the recipient phone number is required',
			'(#100) The parameter to is required.',
		);
	}
	const raw = typeof to === 'number' ? String(to) : to;
	if (typeof raw !== 'string')
		throw new SandboxError(100, 'to: must be a phone number string such as "5491155551234"');
	let result = recipientCache.get(raw);
	if (result === undefined) {
		result = parseRecipient(raw);
		if (recipientCache.size > 200_000) recipientCache.clear();
		recipientCache.set(raw, result);
	}
	if (typeof result !== 'string') throw result;
	if (result === ownDigits) throw new SandboxError(131021);
	return result;
}

const possibleByPrefix = new Map<string, boolean>();

/**
 * Whether the number has a possible length for its country (libphonenumber-js). Possibility depends on the
 * country calling code, the leading national digits and the length, so the answer is memoised on the first
 * six digits plus the length: a campaign sends to thousands of distinct numbers, and parsing each one
 * would cost more than the rest of the send.
 */
function isPossibleLength(digits: string): boolean {
	const key = `${digits.slice(0, 6)}:${digits.length}`;
	let possible = possibleByPrefix.get(key);
	if (possible === undefined) {
		possible = isPossiblePhoneNumber(`+${digits}`);
		if (possibleByPrefix.size > 100_000) possibleByPrefix.clear();
		possibleByPrefix.set(key, possible);
	}
	return possible;
}

function parseRecipient(raw: string): string | SandboxError {
	const cleaned = raw.replace(/[\s\-().]/g, '');
	if (!/^\+?\d+$/.test(cleaned) || cleaned.startsWith('00') || cleaned.startsWith('+00')) {
		return new SandboxError(
			100,
			`to: "${raw}" is not a phone number in international format (country code first, no 00 prefix, digits only)`,
		);
	}
	const digits = cleaned.startsWith('+') ? cleaned.slice(1) : cleaned;
	if (!isPossibleLength(digits)) {
		return new SandboxError(
			131009,
			`to: ${digits} is not a valid phone number for its country code`,
		);
	}
	return digits;
}

interface RequestParameter {
	type?: unknown;
	parameter_name?: unknown;
	text?: unknown;
	payload?: unknown;
	coupon_code?: unknown;
	currency?: { fallback_value?: unknown; code?: unknown; amount_1000?: unknown };
	date_time?: { fallback_value?: unknown };
	image?: { link?: unknown; id?: unknown };
	video?: { link?: unknown; id?: unknown };
	document?: { link?: unknown; id?: unknown };
	location?: { latitude?: unknown; longitude?: unknown };
	action?: unknown;
}

interface RequestComponent {
	type?: unknown;
	sub_type?: unknown;
	index?: unknown;
	parameters?: unknown;
}

function parametersOf(component: RequestComponent, where: string): RequestParameter[] {
	if (component.parameters === undefined) return [];
	if (!Array.isArray(component.parameters)) {
		throw new SandboxError(100, `${where}: parameters must be an array`);
	}
	return component.parameters as RequestParameter[];
}

function countMismatch(where: string, received: number, expected: number): SandboxError {
	return new SandboxError(
		132000,
		`${where}: number of localizable_params (${received}) does not match the expected number of params (${expected})`,
	);
}

function checkParameterText(value: unknown, where: string, maxLength?: number): string {
	if (typeof value !== 'string' || value === '') {
		throw new SandboxError(131008, `${where}: Parameter of type text is missing text value`);
	}
	if (FORBIDDEN_PARAMETER_TEXT.test(value)) throw new SandboxError(100, PARAMETER_TEXT_DETAILS);
	if (maxLength !== undefined && value.length > maxLength) {
		throw new SandboxError(
			131009,
			`${where}: Param text exceeds the maximum length of ${maxLength} characters`,
		);
	}
	return value;
}

/** Text value of a body/header parameter for rendering, after checking its own shape. */
function parameterValue(
	parameter: RequestParameter,
	where: string,
	allowed: string[],
	maxLength?: number,
): string {
	const type = typeof parameter.type === 'string' ? parameter.type : 'UNKNOWN';
	if (!allowed.includes(type)) {
		throw new SandboxError(
			132012,
			`${where}: Format mismatch, expected ${allowed[0].toUpperCase()}, received ${type.toUpperCase()}`,
		);
	}
	if (type === 'text') return checkParameterText(parameter.text, where, maxLength);
	if (type === 'currency') {
		const currency = parameter.currency;
		if (
			!currency ||
			typeof currency.fallback_value !== 'string' ||
			currency.fallback_value === ''
		) {
			throw new SandboxError(131008, `${where}: currency.fallback_value is required`);
		}
		if (typeof currency.code !== 'string' || !/^[A-Z]{3}$/.test(currency.code)) {
			throw new SandboxError(
				131009,
				`${where}: currency.code must be an ISO 4217 code such as "ARS" or "USD"`,
			);
		}
		if (!Number.isInteger(currency.amount_1000)) {
			throw new SandboxError(
				131009,
				`${where}: currency.amount_1000 must be an integer (the amount times 1000)`,
			);
		}
		return checkParameterText(currency.fallback_value, `${where} currency.fallback_value`);
	}
	// date_time
	const dateTime = parameter.date_time;
	if (!dateTime || typeof dateTime.fallback_value !== 'string' || dateTime.fallback_value === '') {
		throw new SandboxError(131008, `${where}: date_time.fallback_value is required`);
	}
	return checkParameterText(dateTime.fallback_value, `${where} date_time.fallback_value`);
}

/**
 * Values for the placeholders of one header or body, keyed by placeholder ("1", "2"… or names),
 * checking count, naming style and each parameter's format.
 */
function placeholderValues(
	parameters: RequestParameter[],
	placeholders: string[],
	named: boolean,
	where: string,
	allowed: string[],
	maxLength?: number,
): Map<string, string> {
	const values = new Map<string, string>();
	if (named) {
		for (const parameter of parameters) {
			const name = parameter.parameter_name;
			if (typeof name !== 'string' || name === '') {
				throw new SandboxError(
					100,
					`${where}: every parameter of a template with parameter_format NAMED needs "parameter_name"`,
				);
			}
			if (!placeholders.includes(name)) {
				throw new SandboxError(
					100,
					`${where}: parameter_name "${name}" does not exist in the template (expected ${placeholders.join(', ') || 'none'})`,
				);
			}
			if (values.has(name))
				throw new SandboxError(100, `${where}: parameter_name "${name}" is given twice`);
			values.set(name, parameterValue(parameter, `${where} {{${name}}}`, allowed, maxLength));
		}
		if (values.size !== placeholders.length)
			throw countMismatch(where, values.size, placeholders.length);
		return values;
	}
	if (parameters.length !== placeholders.length)
		throw countMismatch(where, parameters.length, placeholders.length);
	parameters.forEach((parameter, index) => {
		if (parameter.parameter_name !== undefined) {
			throw new SandboxError(
				100,
				`${where}: parameter_name is only accepted by templates with parameter_format NAMED; this template is POSITIONAL`,
			);
		}
		values.set(
			String(index + 1),
			parameterValue(parameter, `${where} {{${index + 1}}}`, allowed, maxLength),
		);
	});
	return values;
}

function render(text: string, values: Map<string, string>): string {
	return text.replace(
		/\{\{\s*([a-z_][a-z0-9_]*|\d+)\s*\}\}/g,
		(match, key: string) => values.get(key) ?? match,
	);
}

/** Whether an uploaded media ID exists for the sending number (the sandbox's MediaStore) */
export type MediaExists = (id: string) => boolean;

/** Meta's refusal of a media ID that was never uploaded (or expired, or belongs to another number) */
function unknownMediaId(path: string): SandboxError {
	return new SandboxError(
		100,
		`${path} does not exist: upload the file with POST /{phone-number-id}/media first (media IDs expire after 30 days)`,
		`(#100) Param ${path} is not a valid whatsapp business account media attachment ID`,
	);
}

function checkMediaParameter(
	parameter: RequestParameter | undefined,
	format: string,
	where: string,
	path?: string,
	mediaExists?: MediaExists,
): void {
	const expected = format.toLowerCase();
	const type = parameter && typeof parameter.type === 'string' ? parameter.type : 'UNKNOWN';
	if (type !== expected) {
		throw new SandboxError(
			132012,
			`${where}: Format mismatch, expected ${format}, received ${type.toUpperCase()}`,
		);
	}
	const media = parameter![expected as 'image' | 'video' | 'document'];
	if (!media || (typeof media.link !== 'string' && typeof media.id !== 'string')) {
		throw new SandboxError(
			131008,
			`${where}: the ${expected} parameter needs "link" (an https URL) or "id" (an uploaded media id)`,
		);
	}
	if (typeof media.link === 'string' && !/^https?:\/\/\S+$/.test(media.link)) {
		throw new SandboxError(131009, `${where}: ${expected}.link must be an http(s) URL`);
	}
	if (typeof media.id === 'string' && mediaExists && !mediaExists(media.id))
		throw unknownMediaId(`${path ?? where}['${expected}']['id']`);
}

function checkHeader(
	compiled: CompiledTemplate,
	component: RequestComponent | undefined,
	componentIndex: number,
	mediaExists?: MediaExists,
): string | undefined {
	const parameters = component ? parametersOf(component, 'header') : [];
	const header = compiled.header;
	if (!header) {
		if (parameters.length > 0) throw countMismatch('header', parameters.length, 0);
		return undefined;
	}
	if (header.format === 'TEXT') {
		if (
			parameters.length > 0 &&
			typeof parameters[0].type === 'string' &&
			parameters[0].type !== 'text'
		) {
			throw new SandboxError(
				132012,
				`header: Format mismatch, expected TEXT, received ${parameters[0].type.toUpperCase()}`,
			);
		}
		const values = placeholderValues(
			parameters,
			header.placeholders,
			compiled.named,
			'header',
			['text'],
			TEXT_LIMITS.headerParameter,
		);
		return render(header.text, values);
	}
	if (parameters.length > 1) throw countMismatch('header', parameters.length, 1);
	if (header.format === 'LOCATION') {
		const parameter = parameters[0];
		const type = parameter && typeof parameter.type === 'string' ? parameter.type : 'UNKNOWN';
		if (type !== 'location') {
			throw new SandboxError(
				132012,
				`header: Format mismatch, expected LOCATION, received ${type.toUpperCase()}`,
			);
		}
		const location = parameter.location;
		const latitude = Number(location?.latitude);
		const longitude = Number(location?.longitude);
		if (!location || !Number.isFinite(latitude) || !Number.isFinite(longitude)) {
			throw new SandboxError(
				131008,
				'header: the location parameter needs numeric "latitude" and "longitude"',
			);
		}
		if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
			throw new SandboxError(
				131009,
				'header: location latitude must be within ±90 and longitude within ±180',
			);
		}
		return `[location ${latitude},${longitude}]`;
	}
	checkMediaParameter(
		parameters[0],
		header.format,
		'header',
		`template['components'][${componentIndex}]['parameters'][0]`,
		mediaExists,
	);
	return `[${header.format.toLowerCase()}]`;
}

function checkButtons(
	compiled: CompiledTemplate,
	components: RequestComponent[],
): Array<string | undefined> {
	const payloads: Array<string | undefined> = [];
	const given = new Set<number>();
	for (const component of components) {
		const index = typeof component.index === 'number' ? component.index : Number(component.index);
		if (!Number.isInteger(index) || index < 0) {
			throw new SandboxError(
				131008,
				'button: "index" is required (the button position, "0" for the first)',
			);
		}
		const where = `button at index ${index}`;
		const button = compiled.buttons[index];
		if (!button) {
			throw new SandboxError(
				131009,
				`${where}: the template has ${compiled.buttons.length} button(s)`,
			);
		}
		if (given.has(index)) throw new SandboxError(100, `${where}: given twice`);
		given.add(index);
		const subType =
			typeof component.sub_type === 'string' ? component.sub_type.toLowerCase() : 'UNKNOWN';
		if (subType !== button.subType) {
			throw new SandboxError(
				132012,
				`${where}: Format mismatch, expected ${button.subType}, received ${subType}`,
			);
		}
		const parameters = parametersOf(component, where);
		switch (button.subType) {
			case 'url':
				if (parameters.length !== (button.needsParameter ? 1 : 0)) {
					throw countMismatch(where, parameters.length, button.needsParameter ? 1 : 0);
				}
				if (button.needsParameter) {
					if (parameters[0].type !== 'text') {
						throw new SandboxError(
							132012,
							`${where}: Format mismatch, expected TEXT, received ${String(parameters[0].type ?? 'UNKNOWN').toUpperCase()}`,
						);
					}
					checkParameterText(parameters[0].text, where);
				}
				break;
			case 'copy_code':
				if (parameters.length !== 1) throw countMismatch(where, parameters.length, 1);
				if (
					parameters[0].type !== 'coupon_code' ||
					typeof parameters[0].coupon_code !== 'string' ||
					parameters[0].coupon_code === ''
				) {
					throw new SandboxError(
						131008,
						`${where}: copy_code needs {"type":"coupon_code","coupon_code":"..."}`,
					);
				}
				if (parameters[0].coupon_code.length > TEXT_LIMITS.couponCode) {
					throw new SandboxError(
						131009,
						`${where}: coupon_code is longer than ${TEXT_LIMITS.couponCode} characters`,
					);
				}
				break;
			case 'quick_reply':
				if (parameters.length > 1) throw countMismatch(where, parameters.length, 1);
				if (parameters.length === 1) {
					const payload = parameters[0].payload;
					if (parameters[0].type !== 'payload' || typeof payload !== 'string') {
						throw new SandboxError(
							131008,
							`${where}: quick_reply needs {"type":"payload","payload":"..."}`,
						);
					}
					if (payload.length > TEXT_LIMITS.quickReplyPayload) {
						throw new SandboxError(
							131009,
							`${where}: payload is longer than ${TEXT_LIMITS.quickReplyPayload} characters`,
						);
					}
					payloads[index] = payload;
				}
				break;
			case 'flow':
			case 'catalog':
				if (parameters.length > 1) throw countMismatch(where, parameters.length, 1);
				if (
					parameters.length === 1 &&
					(parameters[0].type !== 'action' || typeof parameters[0].action !== 'object')
				) {
					throw new SandboxError(
						131008,
						`${where}: ${button.subType} needs {"type":"action","action":{...}}`,
					);
				}
				break;
			default:
				if (parameters.length > 0) throw countMismatch(where, parameters.length, 0);
		}
	}
	compiled.buttons.forEach((button, index) => {
		if (button.needsParameter && !given.has(index)) {
			throw new SandboxError(
				132000,
				`button at index ${index} of type ${button.subType}: number of localizable_params (0) does not match the expected number of params (1)`,
			);
		}
	});
	return payloads;
}

/** Checks `template` of a send against the catalogue; returns what was rendered. */
export function checkTemplate(
	value: unknown,
	catalogue: Catalogue,
	mediaExists?: MediaExists,
): CheckedTemplate {
	const template = value as
		| { name?: unknown; language?: { code?: unknown }; components?: unknown }
		| undefined;
	if (!template || typeof template !== 'object') {
		throw new SandboxError(131008, 'template: required when type is "template"');
	}
	if (typeof template.name !== 'string' || template.name === '') {
		throw new SandboxError(131008, 'template.name: required');
	}
	const language = template.language?.code;
	if (typeof language !== 'string' || language === '') {
		throw new SandboxError(131008, 'template.language.code: required, e.g. "es" or "en_US"');
	}
	const compiled = catalogue.find(template.name, language);
	const missing = `template name (${template.name}) does not exist in ${language}`;
	if (!compiled) throw new SandboxError(132001, missing);
	const status = compiled.template.status;
	if (status === 'PAUSED') throw new SandboxError(132015);
	if (status === 'DISABLED') throw new SandboxError(132016);
	if (status !== 'APPROVED') throw new SandboxError(132001, missing);

	if (template.components !== undefined && !Array.isArray(template.components)) {
		throw new SandboxError(100, 'template.components: must be an array');
	}
	const components = (template.components ?? []) as RequestComponent[];
	let header: RequestComponent | undefined;
	let body: RequestComponent | undefined;
	const buttons: RequestComponent[] = [];
	for (const component of components) {
		const type = typeof component?.type === 'string' ? component.type.toLowerCase() : '';
		if (type === 'header') {
			if (header)
				throw new SandboxError(100, 'template.components: more than one header component');
			header = component;
		} else if (type === 'body') {
			if (body) throw new SandboxError(100, 'template.components: more than one body component');
			body = component;
		} else if (type === 'button') {
			buttons.push(component);
		} else {
			throw new SandboxError(
				100,
				`template.components: unknown component type ${JSON.stringify(component?.type)}; use header, body or button`,
			);
		}
	}

	const renderedHeader = checkHeader(
		compiled,
		header,
		header ? components.indexOf(header) : 0,
		mediaExists,
	);
	const bodyValues = placeholderValues(
		body ? parametersOf(body, 'body') : [],
		compiled.body.placeholders,
		compiled.named,
		'body',
		['text', 'currency', 'date_time'],
	);
	const renderedBody = render(compiled.body.text, bodyValues);
	const limit = compiled.bodyOnly ? TEXT_LIMITS.bodyOnlyHydrated : TEXT_LIMITS.bodyHydrated;
	if (renderedBody.length > limit) {
		throw new SandboxError(
			132005,
			`body: the hydrated text is ${renderedBody.length} characters; the limit is ${limit}`,
		);
	}
	const quickReplyPayloads = checkButtons(compiled, buttons);
	return { compiled, rendered: { header: renderedHeader, body: renderedBody }, quickReplyPayloads };
}

function checkInteractive(value: unknown): Array<{ id: string; title: string }> | undefined {
	const interactive = value as { type?: unknown; action?: { buttons?: unknown } } | undefined;
	if (!interactive || typeof interactive.type !== 'string') {
		throw new SandboxError(131008, 'interactive.type: required (button, list, cta_url, flow, ...)');
	}
	if (interactive.type !== 'button') return undefined;
	const buttons = interactive.action?.buttons;
	if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 3) {
		throw new SandboxError(131009, 'interactive.action.buttons: 1 to 3 reply buttons are required');
	}
	return buttons.map((button: { reply?: { id?: unknown; title?: unknown } }, index) => {
		const id = button?.reply?.id;
		const title = button?.reply?.title;
		if (typeof id !== 'string' || typeof title !== 'string') {
			throw new SandboxError(
				131008,
				`interactive.action.buttons[${index}]: reply.id and reply.title are required`,
			);
		}
		return { id, title };
	});
}

/** Checks a whole send body except the recipient and the stateful rules. */
export function checkMessage(
	body: Record<string, unknown>,
	catalogue: Catalogue,
	mediaExists?: MediaExists,
): CheckedMessage {
	if (body.messaging_product !== 'whatsapp') {
		throw new SandboxError(
			100,
			'messaging_product: must be "whatsapp"',
			'(#100) The parameter messaging_product is required.',
		);
	}
	const callbackData = body.biz_opaque_callback_data;
	if (
		callbackData !== undefined &&
		(typeof callbackData !== 'string' || callbackData.length > TEXT_LIMITS.bizOpaqueCallbackData)
	) {
		throw new SandboxError(
			131009,
			`biz_opaque_callback_data: must be a string of at most ${TEXT_LIMITS.bizOpaqueCallbackData} characters`,
		);
	}
	const type = body.type === undefined ? 'text' : body.type;
	if (typeof type !== 'string')
		throw new SandboxError(100, 'type: must be a string such as "template" or "text"');
	if (type === 'template')
		return { type, template: checkTemplate(body.template, catalogue, mediaExists) };
	if (!FREE_FORM_TYPES.has(type)) {
		throw new SandboxError(
			131051,
			`type: "${type}" is not supported; use template, ${[...FREE_FORM_TYPES].join(', ')}`,
		);
	}
	if (type === 'text') {
		const text = (body.text as { body?: unknown } | undefined)?.body;
		if (typeof text !== 'string' || text === '')
			throw new SandboxError(131008, 'text.body: required');
		if (text.length > TEXT_LIMITS.textMessage) {
			throw new SandboxError(
				100,
				`text.body: ${text.length} characters; the maximum is ${TEXT_LIMITS.textMessage}`,
			);
		}
		return { type, text };
	}
	if (MEDIA_TYPES.has(type)) {
		const media = body[type] as { link?: unknown; id?: unknown } | undefined;
		if (!media || (typeof media.link !== 'string' && typeof media.id !== 'string')) {
			throw new SandboxError(
				131008,
				`${type}: needs "link" (an https URL) or "id" (an uploaded media id)`,
			);
		}
		if (typeof media.id === 'string' && mediaExists && !mediaExists(media.id))
			throw unknownMediaId(`${type}.id`);
		return { type };
	}
	if (type === 'interactive')
		return { type, interactiveButtons: checkInteractive(body.interactive) };
	if (type === 'reaction') {
		const reaction = body.reaction as { message_id?: unknown } | undefined;
		if (typeof reaction?.message_id !== 'string')
			throw new SandboxError(131008, 'reaction.message_id: required');
		return { type };
	}
	if (body[type] === undefined)
		throw new SandboxError(131008, `${type}: required when type is "${type}"`);
	return { type };
}
