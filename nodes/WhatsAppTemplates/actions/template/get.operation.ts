/** WhatsApp Templates › Get: a template by ID, or every language of a name, per item. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { TEMPLATE_DETAIL_FIELDS } from '../../../../lib/cloud-api/client';
import { fieldError } from '../../../common/error-item';
import { invalidateTemplates } from '../../../common/templates';
import { templateIdProperty, templateItem, type TemplateRun } from './shared';

export const description: INodeProperties[] = [
	{ ...templateIdProperty, displayOptions: { show: { operation: ['get'] } } },
	{
		displayName: 'Template Name',
		name: 'getName',
		type: 'string',
		default: '',
		description: 'Every language of this template name (when no Template ID is given)',
		displayOptions: { show: { operation: ['get'] } },
	},
];

export async function execute(
	ctx: IExecuteFunctions,
	run: TemplateRun,
): Promise<INodeExecutionData[]> {
	const { items, client, credentials, out, failed, apiCall } = run;
	const node = ctx.getNode();
	for (let index = 0; index < items.length; index++) {
		const templateId = String(ctx.getNodeParameter('templateId', index, '') ?? '').trim();
		const name = String(ctx.getNodeParameter('getName', index, '') ?? '').trim();
		if (!templateId && !name) {
			failed(
				index,
				fieldError(
					node,
					'Template ID',
					`Item ${index}: Template ID and Template Name are both empty — give the ID of one language, or a name`,
					{ itemIndex: index },
				),
			);
			continue;
		}
		const found = await apiCall(index, async () =>
			templateId
				? [await client.getTemplate(templateId)]
				: await client.listTemplates({ name, fields: TEMPLATE_DETAIL_FIELDS }),
		);
		if (!found) continue;
		if (found.length === 0) {
			failed(
				index,
				fieldError(
					node,
					'Template Name',
					`Item ${index}: Template Name — no template named "${name}" in this WhatsApp Business Account`,
					{ itemIndex: index },
				),
			);
			continue;
		}
		for (const template of found)
			out.push({ json: templateItem(template), pairedItem: { item: index } });
	}
	// What was just read is the current state: the dropdowns load it again too.
	invalidateTemplates(credentials.wabaId);
	return out;
}
