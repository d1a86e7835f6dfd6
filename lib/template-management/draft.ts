/**
 * A template as the user writes it (name, category, language, header / body / footer / buttons with examples)
 * → Meta's create request, after every rule of creation-rules.ts is checked: all problems at once, each naming
 * the field as
 * the editor shows it and the fix, before anything is submitted.
 */
import type { TemplateButton, TemplateComponent } from '../cloud-api/types';
import {
	templateCreationRules as rules,
	type ButtonTypeInput,
	type HeaderFormatInput,
} from './creation-rules';

/** A template to create, as the node's parameters give it (unchecked). */
export interface TemplateDraft {
	name: unknown;
	category: unknown;
	language: unknown;
	/** NAMED ({{first_name}}) or POSITIONAL ({{1}}); default: what the variables use */
	parameterFormat?: 'POSITIONAL' | 'NAMED' | '';
	header?: { format: HeaderFormatInput | ''; text?: string; example?: string; handle?: string };
	body: string;
	/** One example per body variable: a list in order, or `{ first_name: 'Emilia' }` */
	bodyExamples?: string[] | Record<string, string>;
	footer?: string;
	buttons?: Array<{
		type: ButtonTypeInput | string;
		text?: string;
		url?: string;
		example?: string;
		phoneNumber?: string;
	}>;
}

/** One problem of a draft, naming the field as the editor shows it. */
export interface DraftProblem {
	field: string;
	message: string;
}

/** The body of Meta's create-template request. */
export interface CreateTemplateRequest {
	name: string;
	language: string;
	category: string;
	parameter_format?: 'POSITIONAL' | 'NAMED';
	components: TemplateComponent[];
}

export type DraftResult =
	| { ok: true; request: CreateTemplateRequest }
	| { ok: false; problems: DraftProblem[] };

/** Variables of a text in order of first appearance (with repeats removed), and the raw tokens. */
function variablesOf(text: string): string[] {
	const seen: string[] = [];
	for (const match of text.matchAll(rules.variablePattern))
		if (!seen.includes(match[1])) seen.push(match[1]);
	return seen;
}

/**
 * Parses "Body Examples" as the editor takes it: one example per line, either bare (in variable order) or
 * `name: example`; a JSON list or object also works.
 */
export function parseExamples(value: unknown): string[] | Record<string, string> | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (Array.isArray(value)) return value.map(String);
	if (typeof value === 'object')
		return Object.fromEntries(
			Object.entries(value as Record<string, unknown>).map(([key, example]) => [
				key,
				String(example),
			]),
		);
	const text = String(value).trim();
	if (text.startsWith('[') || text.startsWith('{')) {
		try {
			return parseExamples(JSON.parse(text));
		} catch {
			// not JSON: read as lines
		}
	}
	const lines = text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line !== '');
	const keyed = lines.map((line) => /^\{{0,2}\s*([a-z0-9_]+)\s*\}{0,2}\s*[:=]\s*(.*)$/.exec(line));
	if (keyed.every((match) => match !== null))
		return Object.fromEntries(keyed.map((match) => [match![1], match![2]]));
	return lines;
}

function exampleFor(
	examples: string[] | Record<string, string> | undefined,
	variable: string,
	position: number,
): string | undefined {
	if (!examples) return undefined;
	const found = Array.isArray(examples) ? examples[position] : examples[variable];
	return found === undefined || String(found).trim() === '' ? undefined : String(found);
}

/** Checks a draft against Meta's rules and builds the create request. */
export function checkTemplateDraft(draft: TemplateDraft): DraftResult {
	const problems: DraftProblem[] = [];
	const problem = (field: string, message: string) => problems.push({ field, message });

	const name = String(draft.name ?? '').trim();
	if (!name) problem('Name', 'Name is empty: give the template a name such as lab_results_ready');
	else if (!rules.namePattern.test(name))
		problem(
			'Name',
			`Name "${name}" may only have lowercase letters, digits and underscores: e.g. ${name.toLowerCase().replace(/[^a-z0-9_]+/g, '_')}`,
		);
	else if (name.length > rules.nameMaxLength)
		problem('Name', `Name is ${name.length} characters; Meta allows ${rules.nameMaxLength}`);

	const category = String(draft.category ?? '').toUpperCase();
	if (!(rules.categories as readonly string[]).includes(category))
		problem('Category', `Category "${draft.category}" is not MARKETING, UTILITY or AUTHENTICATION`);
	else if (!(rules.creatableCategories as readonly string[]).includes(category)) {
		problem(
			'Category',
			"Authentication templates use Meta's fixed wording and one-time-password buttons: create them in WhatsApp Manager",
		);
	}

	const language = String(draft.language ?? '').trim();
	if (!rules.languagePattern.test(language))
		problem(
			'Language',
			`Language "${language}" is not a WhatsApp language code: use es, en_US, pt_BR…`,
		);

	const body = String(draft.body ?? '');
	const bodyVariables = variablesOf(body);
	const header = draft.header && draft.header.format ? draft.header : undefined;
	const headerText = header?.format === 'TEXT' ? String(header.text ?? '') : '';
	const headerVariables = header?.format === 'TEXT' ? variablesOf(headerText) : [];
	const all = [...headerVariables, ...bodyVariables];
	const positional = all.filter((variable) => rules.positionalName.test(variable));
	const named = all.filter((variable) => !rules.positionalName.test(variable));
	const declared = draft.parameterFormat || undefined;
	const format: 'POSITIONAL' | 'NAMED' =
		declared ?? (named.length > 0 && positional.length === 0 ? 'NAMED' : 'POSITIONAL');
	const isNamed = format === 'NAMED';

	// Body
	if (body.trim() === '') problem('Body', 'Body is empty: write the message text');
	if (body.length > rules.bodyMaxLength)
		problem(
			'Body',
			`Body is ${body.length} characters; Meta allows ${rules.bodyMaxLength}: shorten it`,
		);
	const checkVariables = (field: string, variables: string[], text: string) => {
		for (const variable of variables) {
			if (
				isNamed ? !rules.namedParameterName.test(variable) : !rules.positionalName.test(variable)
			) {
				const wanted = isNamed
					? 'lowercase names such as {{first_name}}'
					: 'numbers {{1}}, {{2}}… (or set Parameter Format to Named)';
				problem(
					field,
					`${field} has {{${variable}}}; ${format === 'NAMED' ? 'named' : 'positional'} templates use ${wanted}`,
				);
			}
		}
		if (!isNamed) {
			const numbers = variables
				.filter((variable) => rules.positionalName.test(variable))
				.map(Number);
			const expected = numbers.map((_, index) => index + 1);
			if (numbers.join(',') !== expected.join(',')) {
				problem(
					field,
					`${field} numbers its variables ${numbers.map((n) => `{{${n}}}`).join(', ')}; they must appear in order starting at {{1}} with no gaps: ${expected.map((n) => `{{${n}}}`).join(', ')}`,
				);
			}
		}
		const trimmed = text.trim();
		if (
			variables.length > 0 &&
			(/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}[.!?]?$/.test(trimmed))
		) {
			problem(
				field,
				`${field} starts or ends with a variable, which Meta rejects: put words before the first and after the last variable`,
			);
		}
	};
	checkVariables('Body', bodyVariables, body);
	const bodyExamples = draft.bodyExamples;
	const bodyExampleList: string[] = [];
	bodyVariables.forEach((variable, position) => {
		const example = exampleFor(bodyExamples, variable, isNamed ? position : Number(variable) - 1);
		if (example === undefined)
			problem(
				'Body Examples',
				`Body Examples has no example for {{${variable}}}: Meta reviews templates with an example for every variable (one per line${isNamed ? `, e.g. "${variable}: …"` : ''})`,
			);
		else bodyExampleList.push(example);
	});

	const components: TemplateComponent[] = [];
	// Header
	if (header) {
		if (!(rules.headerFormats as readonly string[]).includes(header.format))
			problem(
				'Header',
				`Header format "${header.format}" is not TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION`,
			);
		else if (header.format === 'TEXT') {
			if (headerText.trim() === '')
				problem('Header Text', 'Header Text is empty: write it, or choose no header');
			if (headerText.length > rules.headerTextMaxLength)
				problem(
					'Header Text',
					`Header Text is ${headerText.length} characters; Meta allows ${rules.headerTextMaxLength}`,
				);
			if (headerVariables.length > rules.headerMaxVariables)
				problem(
					'Header Text',
					`Header Text has ${headerVariables.length} variables; Meta allows ${rules.headerMaxVariables}`,
				);
			checkVariables('Header Text', headerVariables, '');
			const example = headerVariables.length > 0 ? String(header.example ?? '').trim() : '';
			if (headerVariables.length > 0 && example === '')
				problem(
					'Header Example',
					`Header Example is empty: give an example for {{${headerVariables[0]}}}`,
				);
			const component: TemplateComponent = { type: 'HEADER', format: 'TEXT', text: headerText };
			if (headerVariables.length > 0 && example !== '') {
				component.example = isNamed
					? { header_text_named_params: [{ param_name: headerVariables[0], example }] }
					: { header_text: [example] };
			}
			components.push(component);
		} else if (header.format === 'LOCATION') {
			components.push({ type: 'HEADER', format: 'LOCATION' });
		} else {
			const handle = String(header.handle ?? '').trim();
			if (handle === '') {
				problem(
					'Header Example Handle',
					`Header Example Handle is empty: Meta needs a sample ${header.format.toLowerCase()} for review, uploaded with the Resumable Upload API (the handle starts with "4:")`,
				);
			}
			components.push({
				type: 'HEADER',
				format: header.format as 'IMAGE' | 'VIDEO' | 'DOCUMENT',
				example: { header_handle: [handle] },
			});
		}
	}
	const bodyComponent: TemplateComponent = { type: 'BODY', text: body };
	if (bodyVariables.length > 0) {
		bodyComponent.example = isNamed
			? {
					body_text_named_params: bodyVariables.map((variable, position) => ({
						param_name: variable,
						example: bodyExampleList[position] ?? '',
					})),
				}
			: { body_text: [bodyExampleList] };
	}
	components.push(bodyComponent);

	// Footer
	const footer = String(draft.footer ?? '');
	if (footer !== '') {
		if (footer.length > rules.footerMaxLength)
			problem(
				'Footer',
				`Footer is ${footer.length} characters; Meta allows ${rules.footerMaxLength}`,
			);
		if (variablesOf(footer).length > 0)
			problem('Footer', 'Footer has a variable; footers are fixed text');
		components.push({ type: 'FOOTER', text: footer });
	}

	// Buttons
	const buttons = draft.buttons ?? [];
	if (buttons.length > rules.buttons.max)
		problem('Buttons', `${buttons.length} buttons; Meta allows ${rules.buttons.max}`);
	const counts: Record<string, number> = {};
	const built: TemplateButton[] = [];
	let sawQuickReply = false;
	let quickRepliesClosed = false;
	buttons.forEach((button, index) => {
		const field = `Buttons › ${index + 1}`;
		const type = String(button.type ?? '').toUpperCase();
		if (!(rules.buttons.types as readonly string[]).includes(type)) {
			problem(
				field,
				`${field}: type "${button.type}" is not Quick Reply, URL, Phone Number or Copy Code`,
			);
			return;
		}
		counts[type] = (counts[type] ?? 0) + 1;
		if (counts[type] === (rules.buttons.maxByType[type] ?? 0) + 1)
			problem(
				field,
				`${field}: more than ${rules.buttons.maxByType[type]} ${type.replace('_', ' ').toLowerCase()} button(s); Meta allows ${rules.buttons.maxByType[type]}`,
			);
		if (type === 'QUICK_REPLY') {
			if (quickRepliesClosed)
				problem(
					field,
					`${field}: quick replies must be next to each other (all before or all after the other buttons)`,
				);
			sawQuickReply = true;
		} else if (sawQuickReply) quickRepliesClosed = true;
		const text = String(button.text ?? '').trim();
		if (type !== 'COPY_CODE') {
			if (text === '')
				problem(`${field} › Text`, `${field} › Text is empty: write the button label`);
			else if (text.length > rules.buttons.textMaxLength)
				problem(
					`${field} › Text`,
					`${field} › Text is ${text.length} characters; Meta allows ${rules.buttons.textMaxLength}`,
				);
			if (variablesOf(text).length > 0)
				problem(`${field} › Text`, `${field} › Text has a variable; button labels are fixed text`);
		}
		if (type === 'QUICK_REPLY') built.push({ type, text });
		if (type === 'URL') {
			const url = String(button.url ?? '').trim();
			const variables = variablesOf(url);
			let valid = true;
			try {
				new URL(url.replace(rules.variablePattern, 'x'));
			} catch {
				valid = false;
			}
			if (!valid || !/^https?:\/\//.test(url))
				problem(`${field} › URL`, `${field} › URL "${url}" is not an http(s) link`);
			else if (url.length > rules.buttons.urlMaxLength)
				problem(
					`${field} › URL`,
					`${field} › URL is ${url.length} characters; Meta allows ${rules.buttons.urlMaxLength}`,
				);
			else if (
				variables.length > 1 ||
				(variables.length === 1 && (variables[0] !== '1' || !/\{\{\s*1\s*\}\}$/.test(url)))
			) {
				problem(
					`${field} › URL`,
					`${field} › URL may have one variable, {{1}}, at its very end (e.g. https://lab.example.com/r/{{1}})`,
				);
			}
			const example = String(button.example ?? '').trim();
			if (variables.length > 0 && example === '')
				problem(
					`${field} › Example`,
					`${field} › Example is empty: give a full example link for the {{1}} in the URL`,
				);
			built.push({
				type,
				text,
				url,
				...(variables.length > 0 && example !== '' ? { example: [example] } : {}),
			});
		}
		if (type === 'PHONE_NUMBER') {
			const phone = String(button.phoneNumber ?? '').trim();
			if (!/^\+?[0-9]{6,19}$/.test(phone.replace(/[\s-]/g, '')))
				problem(
					`${field} › Phone Number`,
					`${field} › Phone Number "${phone}" is not a phone number with country code, e.g. +5491140001000`,
				);
			built.push({ type, text, phone_number: phone.replace(/[\s-]/g, '') });
		}
		if (type === 'COPY_CODE') {
			const example = String(button.example ?? '').trim();
			if (
				example === '' ||
				example.length > rules.buttons.couponCodeMaxLength ||
				!/^[A-Za-z0-9]+$/.test(example)
			) {
				problem(
					`${field} › Example`,
					`${field} › Example must be a sample coupon code of letters and digits, at most ${rules.buttons.couponCodeMaxLength}, e.g. SALUD10`,
				);
			}
			built.push({ type, example: [example] });
		}
	});
	if (built.length > 0) components.push({ type: 'BUTTONS', buttons: built });

	if (problems.length > 0) return { ok: false, problems };
	return {
		ok: true,
		request: {
			name,
			language,
			category,
			...(all.length > 0 ? { parameter_format: format } : {}),
			components,
		},
	};
}
