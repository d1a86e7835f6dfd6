/** WhatsApp Templates › Delete: every language of a template, or one language by its template ID, per item. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fieldError } from '../../../common/error-item';
import { invalidateTemplates } from '../../../common/templates';
import { templateIdProperty, templateNameProperty, type TemplateRun } from './shared';

const show = { show: { operation: ['delete'] } };

export const description: INodeProperties[] = [
	{ ...templateNameProperty, displayOptions: show },
	{ ...templateIdProperty, displayOptions: show },
];

export async function execute(
	ctx: IExecuteFunctions,
	run: TemplateRun,
): Promise<INodeExecutionData[]> {
	const { items, client, credentials, out, failed, apiCall } = run;
	for (let index = 0; index < items.length; index++) {
		const templateId = String(ctx.getNodeParameter('templateId', index, '') ?? '').trim();
		const name = String(ctx.getNodeParameter('name', index, '') ?? '').trim();
		if (!name) {
			failed(
				index,
				fieldError(
					ctx.getNode(),
					'Name',
					`Item ${index}: Name is empty — give the template name to delete`,
					{ itemIndex: index },
				),
			);
			continue;
		}
		const done = await apiCall(index, async () => {
			await client.deleteTemplate(name, templateId || undefined);
			return true;
		});
		if (done)
			out.push({
				json: {
					deleted: true,
					name,
					...(templateId ? { id: templateId } : { allLanguages: true }),
				},
				pairedItem: { item: index },
			});
	}
	invalidateTemplates(credentials.wabaId);
	return out;
}
