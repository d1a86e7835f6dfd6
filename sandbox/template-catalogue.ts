/**
 * The sandbox's message templates: loaded from JSON in Meta's shape (GET message_templates), checked once,
 * and compiled into what the send rules need (placeholders per component, button kinds), so a send does no
 * string scanning of the template.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { MessageTemplate, TemplateCategory, TemplateStatus } from '../lib/cloud-api/types';
// Imported (not only read from disk) so that tsc copies it next to the compiled sandbox in dist/.
import defaultCatalogue from './catalogue.json';

export const DEFAULT_CATALOGUE_PATH = join(__dirname, 'catalogue.json');

/** The shipped catalogue (sandbox/catalogue.json), checked; a fresh copy on every call */
export function defaultTemplates(): MessageTemplate[] {
	return checkTemplates(structuredClone(defaultCatalogue as unknown), DEFAULT_CATALOGUE_PATH);
}

const STATUSES: TemplateStatus[] = [
	'APPROVED',
	'PENDING',
	'REJECTED',
	'PAUSED',
	'DISABLED',
	'FLAGGED',
	'IN_APPEAL',
	'LIMIT_EXCEEDED',
	'LOCKED',
	'REINSTATED',
	'PENDING_DELETION',
	'DELETED',
	'ARCHIVED',
];
const CATEGORIES: TemplateCategory[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];

const PLACEHOLDER = /\{\{\s*([a-z_][a-z0-9_]*|\d+)\s*\}\}/g;

export type MediaFormat = 'IMAGE' | 'VIDEO' | 'DOCUMENT';

export interface CompiledButton {
	/** Meta's send-side sub_type for this button */
	subType: 'quick_reply' | 'url' | 'copy_code' | 'flow' | 'catalog' | 'phone_number' | 'other';
	text: string;
	/** Whether a send must carry a parameter for this button (URL with {{1}}, COPY_CODE) */
	needsParameter: boolean;
}

export interface CompiledTemplate {
	template: MessageTemplate;
	named: boolean;
	header?: { format: 'TEXT' | MediaFormat | 'LOCATION'; placeholders: string[]; text: string };
	body: { placeholders: string[]; text: string };
	footerText: string;
	buttons: CompiledButton[];
	/** Body-only templates may hydrate to 32,768 characters instead of 1,024 */
	bodyOnly: boolean;
}

export function placeholdersOf(text: string | undefined): string[] {
	if (!text) return [];
	const names: string[] = [];
	for (const match of text.matchAll(PLACEHOLDER))
		if (!names.includes(match[1])) names.push(match[1]);
	return names;
}

function buttonSubType(type: string): CompiledButton['subType'] {
	switch (type) {
		case 'QUICK_REPLY':
			return 'quick_reply';
		case 'URL':
		case 'OTP':
			return 'url';
		case 'COPY_CODE':
			return 'copy_code';
		case 'FLOW':
			return 'flow';
		case 'CATALOG':
		case 'MPM':
			return 'catalog';
		case 'PHONE_NUMBER':
			return 'phone_number';
		default:
			return 'other';
	}
}

export function compileTemplate(template: MessageTemplate): CompiledTemplate {
	const compiled: CompiledTemplate = {
		template,
		named: template.parameter_format === 'NAMED',
		body: { placeholders: [], text: '' },
		footerText: '',
		buttons: [],
		bodyOnly: true,
	};
	for (const component of template.components) {
		if (component.type === 'HEADER') {
			compiled.bodyOnly = false;
			const format = component.format ?? 'TEXT';
			compiled.header = {
				format,
				text: component.text ?? '',
				placeholders: format === 'TEXT' ? placeholdersOf(component.text) : [],
			};
		} else if (component.type === 'BODY') {
			compiled.body = { text: component.text ?? '', placeholders: placeholdersOf(component.text) };
		} else if (component.type === 'FOOTER') {
			compiled.bodyOnly = false;
			compiled.footerText = component.text ?? '';
		} else if (component.type === 'BUTTONS') {
			compiled.bodyOnly = false;
			for (const button of component.buttons ?? []) {
				const subType = buttonSubType(button.type);
				compiled.buttons.push({
					subType,
					text: button.text ?? (subType === 'copy_code' ? 'Copy offer code' : ''),
					needsParameter:
						subType === 'copy_code' || (subType === 'url' && placeholdersOf(button.url).length > 0),
				});
			}
		}
	}
	return compiled;
}

/** Throws an error naming the template and field when the JSON is not in Meta's template shape. */
export function checkTemplates(value: unknown, source: string): MessageTemplate[] {
	if (!Array.isArray(value)) {
		throw new Error(
			`${source}: the catalogue must be a JSON array of templates in Meta's message_templates shape`,
		);
	}
	const seen = new Set<string>();
	return value.map((raw, index) => {
		const where = `${source}: template #${index + 1}`;
		if (typeof raw !== 'object' || raw === null) throw new Error(`${where} is not an object`);
		const template = raw as MessageTemplate;
		if (typeof template.name !== 'string' || !/^[a-z0-9_]+$/.test(template.name)) {
			throw new Error(
				`${where}: "name" must be lowercase letters, digits and _ (got ${JSON.stringify(template.name)})`,
			);
		}
		if (typeof template.language !== 'string' || template.language === '') {
			throw new Error(
				`${where} (${template.name}): "language" must be a code such as "es" or "en_US"`,
			);
		}
		if (!STATUSES.includes(template.status)) {
			throw new Error(
				`${where} (${template.name}): "status" must be one of ${STATUSES.join(', ')}`,
			);
		}
		if (!CATEGORIES.includes(template.category)) {
			throw new Error(
				`${where} (${template.name}): "category" must be one of ${CATEGORIES.join(', ')}`,
			);
		}
		if (
			!Array.isArray(template.components) ||
			!template.components.some((c) => c.type === 'BODY')
		) {
			throw new Error(
				`${where} (${template.name}): "components" must be an array with a BODY component`,
			);
		}
		const key = `${template.name}\u0000${template.language}`;
		if (seen.has(key)) {
			throw new Error(
				`${where}: ${template.name} in ${template.language} appears twice; a name exists once per language`,
			);
		}
		seen.add(key);
		return { ...template, id: template.id ?? String(1_200_000_000_000_000 + index) };
	});
}

export function loadCatalogueFile(path: string): MessageTemplate[] {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		throw new Error(
			`catalogue: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error.message}); pass an existing JSON file`,
		);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new Error(`catalogue: ${path} is not valid JSON (${error.message})`);
	}
	// Accept both a bare array and a saved GET message_templates answer ({ data: [...] }).
	const list = Array.isArray(parsed) ? parsed : (parsed as { data?: unknown })?.data;
	return checkTemplates(list, path);
}

/** Templates in memory, indexed by name + language; statuses can change at run time. */
export class Catalogue {
	private readonly byKey = new Map<string, CompiledTemplate>();
	private readonly names = new Set<string>();
	private list: MessageTemplate[] = [];

	constructor(templates: MessageTemplate[]) {
		this.replace(templates);
	}

	replace(templates: MessageTemplate[]): void {
		this.byKey.clear();
		this.names.clear();
		this.list = templates.map((template) => structuredClone(template));
		for (const template of this.list) {
			this.byKey.set(`${template.name}\u0000${template.language}`, compileTemplate(template));
			this.names.add(template.name);
		}
	}

	all(): MessageTemplate[] {
		return this.list;
	}

	find(name: string, language: string): CompiledTemplate | undefined {
		return this.byKey.get(`${name}\u0000${language}`);
	}

	hasName(name: string): boolean {
		return this.names.has(name);
	}

	/** Adds a created template (a new name + language). */
	add(template: MessageTemplate): void {
		const copy = structuredClone(template);
		this.list.push(copy);
		this.byKey.set(`${copy.name}\u0000${copy.language}`, compileTemplate(copy));
		this.names.add(copy.name);
	}

	/** Removes every language of `name`, or only the one with id `hsmId`; the removed templates. */
	remove(name: string, hsmId?: string): MessageTemplate[] {
		const removed = this.list.filter(
			(template) => template.name === name && (hsmId === undefined || template.id === hsmId),
		);
		this.list = this.list.filter((template) => !removed.includes(template));
		for (const template of removed) this.byKey.delete(`${template.name}\u0000${template.language}`);
		if (!this.list.some((template) => template.name === name)) this.names.delete(name);
		return removed;
	}

	byId(id: string): MessageTemplate | undefined {
		return this.list.find((template) => template.id === id);
	}

	setStatus(name: string, language: string, status: TemplateStatus): MessageTemplate {
		const compiled = this.find(name, language);
		if (!compiled)
			throw new Error(`setTemplateStatus: no template ${name} in ${language} in the catalogue`);
		if (!STATUSES.includes(status))
			throw new Error(`setTemplateStatus: status must be one of ${STATUSES.join(', ')}`);
		compiled.template.status = status;
		return compiled.template;
	}
}
