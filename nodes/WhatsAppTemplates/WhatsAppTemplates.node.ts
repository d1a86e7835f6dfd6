import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { CLOUD_API_CREDENTIAL_TEST, cloudApiCredentialTest } from '../common/transport';
import { runTemplateOperation } from './execute';

const show = (operation: string[]) => ({ show: { operation } });

export class WhatsAppTemplates implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Templates',
		name: 'whatsAppTemplates',
		icon: { light: 'file:../common/whatsapp.svg', dark: 'file:../common/whatsapp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] + ($parameter["name"] ? ": " + $parameter["name"] : "") }}',
		description:
			"Create and submit WhatsApp message templates for Meta's review (checked against Meta's rules first), list them with status, quality and rejection reason, get or delete them — without leaving n8n.",
		defaults: { name: 'WhatsApp Templates' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// An agent can list or check templates; creating one only submits it for Meta's review.
		usableAsTool: true,
		credentials: [
			{ name: 'whatsAppCloudApi', required: true, testedBy: 'whatsAppCloudApiConnectionTest' },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Create and Submit',
						value: 'create',
						action: 'Create and submit a template',
						description: 'Submit a template in one language for review (one item per language)',
					},
					{
						name: 'Delete',
						value: 'delete',
						action: 'Delete a template',
						description: 'Delete every language of a template, or one language by its template ID',
					},
					{
						name: 'Get',
						value: 'get',
						action: 'Get a template',
						description: 'Get a template by ID, or every language of a name',
					},
					{
						name: 'List',
						value: 'list',
						action: 'List templates',
						description: 'List templates with status, category, quality and rejection reason',
					},
				],
				default: 'create',
			},
			// ---- create ----
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'lab_results_ready',
				description:
					'Lowercase letters, digits and underscores. The same name in several languages makes one template with translations.',
				displayOptions: show(['create', 'delete']),
			},
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
				displayOptions: show(['create']),
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'string',
				default: 'es',
				required: true,
				placeholder: 'es, en_US, pt_BR',
				hint: 'One item per language: map the language (and the texts) from the items to submit all translations at once',
				displayOptions: show(['create']),
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
				displayOptions: show(['create']),
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
				displayOptions: show(['create']),
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
				description:
					"A sample file for the review, as the handle Meta's Resumable Upload API returns",
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
				displayOptions: show(['create']),
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
				displayOptions: show(['create']),
			},
			{
				displayName: 'Footer',
				name: 'footer',
				type: 'string',
				default: '',
				description: 'Fixed text under the message, at most 60 characters',
				displayOptions: show(['create']),
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
				displayOptions: show(['create']),
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
			// ---- get / delete ----
			{
				displayName: 'Template ID',
				name: 'templateId',
				type: 'string',
				default: '',
				description:
					'Get: the template ID (hsm_id) of one language; leave empty to get every language of the name below. Delete: only this language.',
				displayOptions: show(['get', 'delete']),
			},
			{
				displayName: 'Template Name',
				name: 'getName',
				type: 'string',
				default: '',
				description: 'Every language of this template name (when no Template ID is given)',
				displayOptions: show(['get']),
			},
			// ---- list ----
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add filter',
				default: {},
				displayOptions: show(['list']),
				options: [
					{ displayName: 'Name Contains', name: 'name', type: 'string', default: '' },
					{
						displayName: 'Status',
						name: 'status',
						type: 'multiOptions',
						options: [
							'APPROVED',
							'PENDING',
							'REJECTED',
							'PAUSED',
							'DISABLED',
							'IN_APPEAL',
							'FLAGGED',
						].map((status) => ({
							name: status.charAt(0) + status.slice(1).toLowerCase().replace('_', ' '),
							value: status,
						})),
						default: [],
					},
					{
						displayName: 'Category',
						name: 'category',
						type: 'options',
						options: [
							{ name: 'Any', value: '' },
							{ name: 'Authentication', value: 'AUTHENTICATION' },
							{ name: 'Marketing', value: 'MARKETING' },
							{ name: 'Utility', value: 'UTILITY' },
						],
						default: '',
					},
					{
						displayName: 'Language',
						name: 'language',
						type: 'string',
						default: '',
						placeholder: 'es',
					},
				],
			},
		],
	};

	methods = { credentialTest: { [CLOUD_API_CREDENTIAL_TEST]: cloudApiCredentialTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await runTemplateOperation(this, this.continueOnFail())];
	}
}
