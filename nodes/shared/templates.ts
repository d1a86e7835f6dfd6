import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodePropertyOptions,
	INodeProperties,
	ResourceMapperFields,
} from 'n8n-workflow';

import type { CloudApiClient } from '../../lib/cloud-api/client';
import type { CloudApiCredentials, MessageTemplate } from '../../lib/cloud-api/types';
import { describeSlots, inspectTemplate, normaliseLocale, toResourceMapperFields } from '../../lib/templates';
import { cloudApiClient } from './transport';

/**
 * Templates are read from the management API, which Meta rate-limits (~200 calls/hour per app and WABA):
 * one list per WABA is kept for a short while and shared by dropdowns, the resource mapper and executions.
 */
const CACHE_TTL_MS = 60_000;
const cache = new Map<string, { at: number; templates: Promise<MessageTemplate[]> }>();

export function clearTemplateCache(): void {
	cache.clear();
}

/**
 * Forgets the cached template list of a WhatsApp Business Account (every one when `wabaId` is not given), so the
 * next dropdown load sees a status change or a created / deleted template. Called by the trigger when a
 * template event arrives and by the WhatsApp Templates node after it changes one. In-process: in queue mode
 * other processes see the change when their copy expires (a minute).
 */
export function invalidateTemplates(wabaId?: string): void {
	for (const key of [...cache.keys()]) if (wabaId === undefined || key.split('|')[2] === wabaId) cache.delete(key);
}

export async function loadTemplates(client: CloudApiClient, credentials: CloudApiCredentials, options: { fresh?: boolean } = {}): Promise<MessageTemplate[]> {
	const key = `${credentials.provider}|${credentials.baseUrl}|${credentials.wabaId}|${credentials.phoneNumberId}`;
	const hit = cache.get(key);
	if (hit && !options.fresh && Date.now() - hit.at < CACHE_TTL_MS) return hit.templates;
	const templates = client.listTemplates();
	cache.set(key, { at: Date.now(), templates });
	templates.catch(() => cache.delete(key));
	return templates;
}

/** The template's translations that exist, whatever their status (to explain a refusal). */
export function describeAvailability(templates: MessageTemplate[], name: string): string {
	const same = templates.filter((template) => template.name === name);
	if (same.length === 0) {
		const approved = [...new Set(templates.filter((t) => t.status === 'APPROVED').map((t) => t.name))].sort();
		return `no template named "${name}" in this WhatsApp Business Account; approved templates: ${approved.join(', ') || 'none'}`;
	}
	return `"${name}" exists in ${same.map((t) => `${t.language} (${t.status})`).join(', ')}`;
}

// ---- node parameters shared by Send HSM Template and Bulk Campaign ----

export const templateProperties: INodeProperties[] = [
	{
		displayName: 'Template Name or ID',
		hint: 'An approved template of the credential\'s WhatsApp Business Account (the name, when given by expression)',
		name: 'template',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTemplates' },
		default: '',
		required: true,
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	},
	{
		displayName: 'Default Language Name or ID',
		hint: 'Used when the recipient\'s language is empty or has no approved translation',
		name: 'defaultLanguage',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTemplateLanguages', loadOptionsDependsOn: ['template'] },
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	},
	{
		displayName: 'Recipient Language',
		name: 'recipientLanguage',
		type: 'string',
		default: '',
		placeholder: '={{ $json.language }}',
		description:
			'The contact\'s language or locale (es_AR, es, pt-BR…). The best approved translation is picked: exact, then same language, then the default language.',
	},
	{
		displayName: 'Template Variables',
		name: 'variables',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['template', 'defaultLanguage'],
			resourceMapper: {
				resourceMapperMethod: 'getTemplateFields',
				mode: 'add',
				fieldWords: { singular: 'variable', plural: 'variables' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
				noFieldsError: 'This template takes no variables: nothing to fill in',
			},
		},
		description: 'One field per variable, header media, location and button the chosen template really has',
	},
];

// ---- methods (dropdowns and the resource mapper) ----

async function approvedTemplates(ctx: ILoadOptionsFunctions | IExecuteFunctions): Promise<MessageTemplate[]> {
	const { client, credentials } = await cloudApiClient(ctx);
	return (await loadTemplates(client, credentials)).filter((template) => template.status === 'APPROVED');
}

export async function getTemplates(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const templates = await approvedTemplates(this);
	const byName = new Map<string, MessageTemplate[]>();
	for (const template of templates) byName.set(template.name, [...(byName.get(template.name) ?? []), template]);
	return [...byName.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([name, translations]) => ({
			name: `${name} (${translations.map((t) => t.language).join(', ')})`,
			value: name,
			description: `${translations[0].category}${translations[0].parameter_format === 'NAMED' ? ', named variables' : ''}`,
		}));
}

export async function getTemplateLanguages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const name = this.getCurrentNodeParameter('template') as string;
	const templates = (await approvedTemplates(this)).filter((template) => template.name === name);
	return templates.map((template) => ({ name: template.language, value: template.language, description: template.category }));
}

/** The resource-mapper form: one field per slot of the chosen template (its default language, else the first approved). */
export async function getTemplateFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const name = this.getCurrentNodeParameter('template') as string;
	const language = normaliseLocale(this.getCurrentNodeParameter('defaultLanguage'));
	const translations = (await approvedTemplates(this)).filter((template) => template.name === name);
	const template = translations.find((t) => t.language === language) ?? translations[0];
	if (!template) return { fields: [], emptyFieldsNotice: `Choose an approved template first${name ? ` ("${name}" has no approved translation)` : ''}` };
	const shape = inspectTemplate(template);
	if (shape.problems.length > 0) return { fields: [], emptyFieldsNotice: shape.problems.map((problem) => problem.message).join('; ') };
	return { fields: toResourceMapperFields(describeSlots(template)) };
}

/** Mapped values of one item, keyed by slot id ("body.1", "header", "button.0.payload"…). */
export function readVariables(ctx: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const mapped = ctx.getNodeParameter('variables', itemIndex, { value: null }) as { value?: Record<string, unknown> | null };
	return { ...(mapped?.value ?? {}) };
}
