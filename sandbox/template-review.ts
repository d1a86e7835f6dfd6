/**
 * POST /{waba-id}/message_templates as Meta answers it: the request checked with Meta's creation rules
 * (lib/template-management/creation-rules.ts, the same data the node checks before submitting), a duplicate name +
 * language refused with subcode 2388024, a new template created PENDING and reviewed after `templateReviewMs`.
 *
 * The review rule (documented in sandbox/README.md): a UTILITY template whose body or footer reads like a
 * promotion (discount, offer, sale, % off, promo, descuento, oferta, gratis, cupón) is REJECTED with reason
 * INCORRECT_CATEGORY; every other template is APPROVED.
 */
import type { MessageTemplate, TemplateComponent } from '../lib/cloud-api/types';
import { templateCreationRules as rules } from '../lib/template-management/creation-rules';
import { fbtraceId } from './errors';

/** Words that make a UTILITY template promotional in the sandbox's review */
export const PROMOTIONAL_WORDS =
	/\b(discount|offer|sale|promo|promotion|descuento|oferta|gratis|cup[oó]n)\b|\d+\s*%\s*(off|de descuento)/i;

export class TemplateRequestError extends Error {
	constructor(
		readonly userTitle: string,
		readonly userMessage: string,
		readonly subcode?: number,
	) {
		super(userMessage);
	}

	/** Meta's answer: code 100, "Invalid parameter", with the user-facing title and message */
	body() {
		return {
			error: {
				message: 'Invalid parameter',
				type: 'OAuthException',
				code: 100,
				...(this.subcode !== undefined ? { error_subcode: this.subcode } : {}),
				is_transient: false,
				error_user_title: this.userTitle,
				error_user_msg: this.userMessage,
				fbtrace_id: fbtraceId(),
			},
		};
	}
}

const invalid = (message: string) => new TemplateRequestError('Invalid parameter', message);

function variables(text: string | undefined): string[] {
	const found: string[] = [];
	for (const match of String(text ?? '').matchAll(rules.variablePattern)) found.push(match[1]);
	return found;
}

/** Checks a create request and returns the template to add (status PENDING), or throws Meta's refusal. */
export function checkCreateRequest(
	input: Record<string, unknown>,
	exists: (name: string, language: string) => boolean,
	id: string,
): MessageTemplate {
	const name = input.name;
	if (
		typeof name !== 'string' ||
		!rules.namePattern.test(name) ||
		name.length > rules.nameMaxLength
	) {
		throw invalid(
			`name: "${String(name)}" must be at most ${rules.nameMaxLength} lowercase letters, digits and underscores`,
		);
	}
	const language = input.language;
	if (typeof language !== 'string' || !rules.languagePattern.test(language))
		throw invalid(`language: "${String(language)}" is not a supported language code`);
	const category = String(input.category ?? '').toUpperCase();
	if (!(rules.categories as readonly string[]).includes(category))
		throw invalid('category: must be MARKETING, UTILITY or AUTHENTICATION');
	if (exists(name, language)) {
		throw new TemplateRequestError(
			'Message template already exists',
			`There is already ${language} content for this template. You can create a new template and try again.`,
			2388024,
		);
	}
	const components = input.components;
	if (!Array.isArray(components) || components.length === 0) throw invalid('components: required');
	const named = input.parameter_format === 'NAMED';
	const body = components.find((component: TemplateComponent) => component?.type === 'BODY') as
		| TemplateComponent
		| undefined;
	if (!body || typeof body.text !== 'string' || body.text.trim() === '')
		throw invalid('components: a BODY component with text is required');
	if (body.text.length > rules.bodyMaxLength)
		throw invalid(
			`BODY text is ${body.text.length} characters; the maximum is ${rules.bodyMaxLength}`,
		);
	const bodyVariables = variables(body.text);
	if (bodyVariables.length > 0) {
		const trimmed = body.text.trim();
		if (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}[.!?]?$/.test(trimmed)) {
			throw new TemplateRequestError(
				"Variables can't be at the start or end of the template",
				"Variables can't be at the start or end of the template.",
				2388299,
			);
		}
		if (!named) {
			const unique = [...new Set(bodyVariables)];
			if (unique.some((variable, index) => variable !== String(index + 1))) {
				throw new TemplateRequestError(
					'Variable parameters are not sequential',
					'The variable parameters in the body are not sequential: use {{1}}, {{2}}… in order.',
					2388043,
				);
			}
			const examples = body.example?.body_text?.[0];
			if (!Array.isArray(examples) || examples.length !== unique.length) {
				throw invalid(
					`BODY example.body_text must have ${unique.length} example(s), one per variable`,
				);
			}
		} else {
			const examples = body.example?.body_text_named_params ?? [];
			for (const variable of new Set(bodyVariables)) {
				if (
					!examples.some(
						(example) => example.param_name === variable && String(example.example ?? '') !== '',
					)
				) {
					throw invalid(`BODY example.body_text_named_params needs an example for {{${variable}}}`);
				}
			}
		}
	}
	for (const component of components as TemplateComponent[]) {
		if (
			component.type === 'HEADER' &&
			(component.format ?? 'TEXT') === 'TEXT' &&
			String(component.text ?? '').length > rules.headerTextMaxLength
		) {
			throw invalid(`HEADER text is longer than ${rules.headerTextMaxLength} characters`);
		}
		if (component.type === 'FOOTER' && String(component.text ?? '').length > rules.footerMaxLength)
			throw invalid(`FOOTER text is longer than ${rules.footerMaxLength} characters`);
		if (component.type === 'BUTTONS') {
			const buttons = component.buttons ?? [];
			if (buttons.length > rules.buttons.max)
				throw invalid(`BUTTONS: at most ${rules.buttons.max} buttons`);
			const counts: Record<string, number> = {};
			for (const button of buttons) {
				counts[button.type] = (counts[button.type] ?? 0) + 1;
				const max = rules.buttons.maxByType[button.type];
				if (max !== undefined && counts[button.type] > max)
					throw invalid(`BUTTONS: at most ${max} ${button.type} button(s)`);
				if (
					button.type !== 'COPY_CODE' &&
					String(button.text ?? '').length > rules.buttons.textMaxLength
				)
					throw invalid(
						`BUTTONS: button text is longer than ${rules.buttons.textMaxLength} characters`,
					);
			}
		}
	}
	return {
		id,
		name,
		language,
		status: 'PENDING',
		category: category as MessageTemplate['category'],
		...(named
			? { parameter_format: 'NAMED' as const }
			: { parameter_format: 'POSITIONAL' as const }),
		components: structuredClone(components) as TemplateComponent[],
	};
}

/** The sandbox's review decision for a created template. */
export function review(template: MessageTemplate): {
	status: 'APPROVED' | 'REJECTED';
	reason: string;
} {
	if (template.category === 'UTILITY') {
		const text = template.components
			.filter((component) => component.type === 'BODY' || component.type === 'FOOTER')
			.map((component) => component.text ?? '')
			.join(' ');
		if (PROMOTIONAL_WORDS.test(text)) return { status: 'REJECTED', reason: 'INCORRECT_CATEGORY' };
	}
	return { status: 'APPROVED', reason: 'NONE' };
}
