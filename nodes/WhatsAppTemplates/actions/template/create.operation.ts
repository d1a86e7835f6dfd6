/**
 * WhatsApp Templates › Create and Submit: every item checked against Meta's rules before any is submitted (one item
 * per language); then the dropdowns of this instance load the template list again.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import {
	checkTemplateDraft,
	parseExamples,
	type CreateTemplateRequest,
	type TemplateDraft,
} from '../../../../lib/template-management';
import { fieldError } from '../../../common/error-item';
import { invalidateTemplates } from '../../../common/templates';
import { templateNameProperty, type TemplateRun } from './shared';

const show = { show: { operation: ['create'] } };

export const description: INodeProperties[] = [
	{ ...templateNameProperty, displayOptions: show },
	{
		displayName: 'Category',
		name: 'category',
		type: 'options',
		options: [
			{
				name: 'Utility',
				value: 'UTILITY',
				description:
					'About a transaction or an account the user has (results ready, appointment, order)',
			},
			{
				name: 'Marketing',
				value: 'MARKETING',
				description: 'Promotions, offers, newsletters, invitations',
			},
		],
		default: 'UTILITY',
		description:
			'Meta reviews the category: a promotion submitted as utility is rejected or re-categorised as marketing',
		displayOptions: show,
	},
	{
		displayName: 'Language',
		name: 'language',
		type: 'string',
		default: 'es',
		required: true,
		placeholder: 'es, en_US, pt_BR',
		hint: 'One item per language: map the language (and the texts) from the items to submit all translations at once',
		displayOptions: show,
	},
	{
		displayName: 'Parameter Format',
		name: 'parameterFormat',
		type: 'options',
		options: [
			{
				name: 'From the Variables',
				value: '',
				description: '{{1}}-style variables are positional, {{first_name}}-style are named',
			},
			{ name: 'Named', value: 'NAMED', description: 'Variables such as {{first_name}}' },
			{ name: 'Positional', value: 'POSITIONAL', description: 'Variables {{1}}, {{2}}…' },
		],
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Header',
		name: 'headerFormat',
		type: 'options',
		options: [
			{ name: 'Document', value: 'DOCUMENT' },
			{ name: 'Image', value: 'IMAGE' },
			{ name: 'Location', value: 'LOCATION' },
			{ name: 'None', value: '' },
			{ name: 'Text', value: 'TEXT' },
			{ name: 'Video', value: 'VIDEO' },
		],
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Header Text',
		name: 'headerText',
		type: 'string',
		default: '',
		description: 'At most 60 characters and one variable',
		displayOptions: { show: { operation: ['create'], headerFormat: ['TEXT'] } },
	},
	{
		displayName: 'Header Example',
		name: 'headerExample',
		type: 'string',
		default: '',
		description: "An example value for the header's variable (Meta reviews it)",
		displayOptions: { show: { operation: ['create'], headerFormat: ['TEXT'] } },
	},
	{
		displayName: 'Header Example Handle',
		name: 'headerHandle',
		type: 'string',
		default: '',
		placeholder: '4::aW1hZ2UvanBlZw==:ARb…',
		description: "A sample file for the review, as the handle Meta's Resumable Upload API returns",
		displayOptions: {
			show: { operation: ['create'], headerFormat: ['IMAGE', 'VIDEO', 'DOCUMENT'] },
		},
	},
	{
		displayName: 'Body',
		name: 'body',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'Hola {{1}}, tus resultados ya están disponibles.',
		description:
			'At most 1,024 characters; variables {{1}}, {{2}}… in order (or {{first_name}}…), not at the very start or end',
		displayOptions: show,
	},
	{
		displayName: 'Body Examples',
		name: 'bodyExamples',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'Emilia',
		description:
			'One example per variable, one per line, in order (or "first_name: Emilia" for named variables). Meta needs one for every variable.',
		displayOptions: show,
	},
	{
		displayName: 'Footer',
		name: 'footer',
		type: 'string',
		default: '',
		description: 'Fixed text under the message, at most 60 characters',
		displayOptions: show,
	},
	{
		displayName: 'Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add button',
		default: {},
		description:
			'Up to 10: quick replies (10), URL (2), phone number (1), copy code (1); quick replies next to each other',
		displayOptions: show,
		options: [
			{
				displayName: 'Button',
				name: 'button',
				// Type first: it decides which of the other fields apply.
				// eslint-disable-next-line n8n-nodes-base/node-param-fixed-collection-type-unsorted-items
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Copy Code', value: 'COPY_CODE' },
							{ name: 'Phone Number', value: 'PHONE_NUMBER' },
							{ name: 'Quick Reply', value: 'QUICK_REPLY' },
							{ name: 'URL', value: 'URL' },
						],
						default: 'QUICK_REPLY',
					},
					{
						displayName: 'Text',
						name: 'text',
						type: 'string',
						default: '',
						description: 'The label, at most 25 characters (not used by Copy Code)',
					},
					{
						displayName: 'URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'https://lab.example.com/r/{{1}}',
						description: 'URL buttons: the link; one variable {{1}} allowed at its end',
					},
					{
						displayName: 'Phone Number',
						name: 'phoneNumber',
						type: 'string',
						default: '',
						placeholder: '+5491140001000',
					},
					{
						displayName: 'Example',
						name: 'example',
						type: 'string',
						default: '',
						description:
							'URL with a variable: a full example link. Copy Code: a sample code (letters and digits, at most 15).',
					},
				],
			},
		],
	},
];

export async function execute(
	ctx: IExecuteFunctions,
	run: TemplateRun,
): Promise<INodeExecutionData[]> {
	const { items, client, credentials, out, failed, apiCall } = run;
	const node = ctx.getNode();
	// 1. every item checked before anything is submitted
	const ready: Array<{ index: number; request: CreateTemplateRequest }> = [];
	for (let index = 0; index < items.length; index++) {
		const checked = checkTemplateDraft(draftOf(ctx, index));
		if (checked.ok) ready.push({ index, request: checked.request });
		else {
			const all = checked.problems.map((problem) => problem.message).join('; ');
			failed(
				index,
				fieldError(
					node,
					checked.problems[0].field,
					`Item ${index}: ${checked.problems[0].message}`,
					{
						itemIndex: index,
						description: `Nothing was submitted. ${all}`,
					},
				),
			);
		}
	}
	// 2. submit, item by item
	for (const { index, request } of ready) {
		const answer = await apiCall(index, () => client.createTemplate(request));
		if (!answer) continue;
		out.push({
			json: {
				id: answer.id,
				name: request.name,
				language: request.language,
				status: answer.status,
				category: answer.category,
				requestedCategory: request.category,
			},
			pairedItem: { item: index },
		});
	}
	if (ready.length > 0) invalidateTemplates(credentials.wabaId);
	// In input order: the refused items were reported before the submitted ones.
	const itemOf = (entry: INodeExecutionData) => (entry.pairedItem as { item: number }).item;
	return [...out].sort((a, b) => itemOf(a) - itemOf(b));
}

function draftOf(ctx: IExecuteFunctions, index: number): TemplateDraft {
	const param = <T>(name: string, fallback: T) => ctx.getNodeParameter(name, index, fallback) as T;
	const headerFormat = param<string>('headerFormat', '');
	const buttons = (param<{ button?: IDataObject[] }>('buttons', {}).button ?? []).map((button) => ({
		type: String(button.type ?? ''),
		text: String(button.text ?? ''),
		url: String(button.url ?? ''),
		example: String(button.example ?? ''),
		phoneNumber: String(button.phoneNumber ?? ''),
	}));
	return {
		name: param('name', ''),
		category: param('category', ''),
		language: param('language', ''),
		parameterFormat: param<'' | 'POSITIONAL' | 'NAMED'>('parameterFormat', ''),
		header: headerFormat
			? {
					format: headerFormat as NonNullable<TemplateDraft['header']>['format'],
					text: headerFormat === 'TEXT' ? param('headerText', '') : undefined,
					example: headerFormat === 'TEXT' ? param('headerExample', '') : undefined,
					handle: ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(headerFormat)
						? param('headerHandle', '')
						: undefined,
				}
			: undefined,
		body: param('body', ''),
		bodyExamples: parseExamples(param<unknown>('bodyExamples', '')),
		footer: param('footer', ''),
		buttons,
	};
}
