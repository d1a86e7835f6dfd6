import {
	NodeOperationError,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodePropertyOptions,
	type INodeProperties,
	type ResourceMapperFields,
} from 'n8n-workflow';

import type { CloudApiClient } from '../../lib/cloud-api/client';
import type { CloudApiCredentials, MessageTemplate } from '../../lib/cloud-api/types';
import {
	describeSlots,
	inspectTemplate,
	normaliseLocale,
	toResourceMapperFields,
} from '../../lib/templates';
import { templatePreviewLine } from '../../lib/templates/preview';
import { CLOUD_API_CREDENTIAL, cloudApiClient } from './transport';

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
	for (const key of [...cache.keys()])
		if (wabaId === undefined || key.split('|')[2] === wabaId) cache.delete(key);
}

export async function loadTemplates(
	client: CloudApiClient,
	credentials: CloudApiCredentials,
	options: { fresh?: boolean } = {},
): Promise<MessageTemplate[]> {
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
		const approved = [
			...new Set(templates.filter((t) => t.status === 'APPROVED').map((t) => t.name)),
		].sort();
		return `no template named "${name}" in this WhatsApp Business Account; approved templates: ${approved.join(', ') || 'none'}`;
	}
	return `"${name}" exists in ${same.map((t) => `${t.language} (${t.status})`).join(', ')}`;
}

// ---- node parameters shared by Send HSM Template and Bulk Campaign ----

export const templateProperties: INodeProperties[] = [
	// "Template" and "Default Language", not n8n's generic "… Name or ID": the values are a template name and a
	// language code (es_AR), and that is what an expression must give.
	{
		// eslint-disable-next-line n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options -- see above
		displayName: 'Template',
		name: 'template',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTemplates' },
		default: '',
		required: true,
		// eslint-disable-next-line n8n-nodes-base/node-param-description-wrong-for-dynamic-options -- names what the expression must give
		description:
			'An approved template of the credential\'s WhatsApp Business Account. Choose from the list, or give the template name (e.g. appointment_reminder) using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		// eslint-disable-next-line n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options -- see above
		displayName: 'Default Language',
		hint: "Used when the recipient's language is empty or has no approved translation",
		name: 'defaultLanguage',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTemplateLanguages', loadOptionsDependsOn: ['template'] },
		default: '',
		// eslint-disable-next-line n8n-nodes-base/node-param-description-wrong-for-dynamic-options -- names what the expression must give
		description:
			'A language the template is approved in. Choose from the list, or give the language code (e.g. es_AR) using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Recipient Language',
		name: 'recipientLanguage',
		type: 'string',
		default: '',
		placeholder: 'e.g. es_AR, usually mapped from the input',
		description:
			"The contact's language or locale (es_AR, es, pt-BR…). The best approved translation is picked: exact, then same language, then the default language.",
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
				// The same words the error messages use ("Template Variables › Body {{2}} is missing").
				valuesLabel: 'Template Variables',
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
				// The method's emptyFieldsNotice says why there are no fields (no template yet, no variables, no
				// credential); n8n's red "no fields" error beside it would contradict it.
				hideNoDataError: true,
			},
		},
		description:
			"One field per variable, header media, location and button the chosen template really has. The Template and Default Language lists show the template's text; the output's renderedText is the message with these values filled in.",
	},
];

// ---- methods (dropdowns and the resource mapper) ----

/** What the dropdowns and the variables form say while the node has no WhatsApp HSM Cloud API credential. */
export const NO_CREDENTIAL_MESSAGE =
	'Select a WhatsApp HSM Cloud API credential above: the templates are read from its WhatsApp Business Account';

/**
 * The editor can ask for the lists before it attaches the credential to a new node (n8n answers "Node does not
 * have any credentials set"); that case gets a message saying what to do, and the editor asks again once the
 * credential is attached.
 */
async function hasCloudApiCredential(ctx: ILoadOptionsFunctions): Promise<boolean> {
	try {
		await ctx.getCredentials(CLOUD_API_CREDENTIAL);
		return true;
	} catch (error) {
		if (/does not have any credentials|No credentials/i.test((error as Error).message))
			return false;
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}

async function approvedTemplates(
	ctx: ILoadOptionsFunctions | IExecuteFunctions,
): Promise<MessageTemplate[]> {
	const { client, credentials } = await cloudApiClient(ctx);
	return (await loadTemplates(client, credentials)).filter(
		(template) => template.status === 'APPROVED',
	);
}

export async function getTemplates(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	if (!(await hasCloudApiCredential(this)))
		throw new NodeOperationError(this.getNode(), NO_CREDENTIAL_MESSAGE);
	const templates = await approvedTemplates(this);
	const byName = new Map<string, MessageTemplate[]>();
	for (const template of templates)
		byName.set(template.name, [...(byName.get(template.name) ?? []), template]);
	return [...byName.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([name, translations]) => ({
			name: `${name} (${translations.map((t) => t.language).join(', ')})`,
			value: name,
			description: optionDescription(
				translations[0],
				translations[0].parameter_format === 'NAMED' ? 'named variables' : undefined,
			),
		}));
}

export async function getTemplateLanguages(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const name = this.getCurrentNodeParameter('template') as string;
	if (!(await hasCloudApiCredential(this)))
		throw new NodeOperationError(this.getNode(), NO_CREDENTIAL_MESSAGE);
	if (!name) return [];
	const templates = (await approvedTemplates(this)).filter((template) => template.name === name);
	return templates.map((template) => ({
		name: template.language,
		value: template.language,
		description: optionDescription(template),
	}));
}

/**
 * A dropdown option's description: the category, then the template's text as it will read (variables unfilled),
 * so the user sees what they are choosing. n8n renders descriptions as HTML: the text is escaped.
 */
function optionDescription(template: MessageTemplate, note?: string): string {
	const label = [template.category, note].filter(Boolean).join(', ');
	return escapeHtml(`${label} · ${templatePreviewLine(template)}`);
}

const escapeHtml = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The resource-mapper form: one field per slot of the chosen template (its default language, else the first approved). */
export async function getTemplateFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const name = this.getCurrentNodeParameter('template') as string;
	if (!(await hasCloudApiCredential(this)))
		return { fields: [], emptyFieldsNotice: NO_CREDENTIAL_MESSAGE };
	if (!name)
		return {
			fields: [],
			emptyFieldsNotice:
				'Choose a template above: one field per variable, media header and button it has appears here',
		};
	const language = normaliseLocale(this.getCurrentNodeParameter('defaultLanguage'));
	const translations = (await approvedTemplates(this)).filter((template) => template.name === name);
	const template = translations.find((t) => t.language === language) ?? translations[0];
	if (!template)
		return {
			fields: [],
			emptyFieldsNotice: `Choose an approved template first${name ? ` ("${name}" has no approved translation)` : ''}`,
		};
	const shape = inspectTemplate(template);
	if (shape.problems.length > 0)
		return {
			fields: [],
			emptyFieldsNotice: shape.problems.map((problem) => problem.message).join('; '),
		};
	const fields = toResourceMapperFields(describeSlots(template));
	if (fields.length === 0)
		return { fields, emptyFieldsNotice: `"${name}" takes no variables: nothing to fill in` };
	return { fields };
}
