/** WhatsApp Templates › List: the templates of the account with status, category, quality and rejection reason. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { TEMPLATE_DETAIL_FIELDS } from '../../../../lib/cloud-api/client';
import { templateItem, type TemplateRun } from './shared';

export const description: INodeProperties[] = [
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		displayOptions: { show: { operation: ['list'] } },
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
];

export async function execute(
	ctx: IExecuteFunctions,
	run: TemplateRun,
): Promise<INodeExecutionData[]> {
	const filters = ctx.getNodeParameter('filters', 0, {}) as {
		name?: string;
		status?: string[];
		category?: string;
		language?: string;
	};
	const templates = await run.apiCall(0, () =>
		run.client.listTemplates({
			fields: TEMPLATE_DETAIL_FIELDS,
			...(filters.status?.length === 1 ? { status: filters.status[0] } : {}),
		}),
	);
	if (!templates) return run.out;
	const wanted = templates.filter(
		(template) =>
			(!filters.name || template.name.includes(filters.name)) &&
			(!filters.status?.length || filters.status.includes(template.status)) &&
			(!filters.category || template.category === filters.category) &&
			(!filters.language || template.language === filters.language),
	);
	return wanted.map((template) => ({ json: templateItem(template), pairedItem: { item: 0 } }));
}
