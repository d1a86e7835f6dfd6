import { type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { TEMPLATE_DETAIL_FIELDS } from '../../lib/cloud-api/client';
import type { MessageTemplate } from '../../lib/cloud-api/types';
import {
	checkTemplateDraft,
	parseExamples,
	rejectionReasons,
	type CreateTemplateRequest,
	type TemplateDraft,
} from '../../lib/template-management';
import { errorItem, fieldError } from '../common/error-item';
import { invalidateTemplates } from '../common/templates';
import { cloudApiClient, secretsOf, toNodeError } from '../common/transport';

/** A template as list / get output it: Meta's fields plus quality and the rejection reason in words. */
export function templateItem(template: MessageTemplate): IDataObject {
	const reason = template.rejected_reason;
	return {
		id: template.id,
		name: template.name,
		language: template.language,
		status: template.status,
		category: template.category,
		...(template.sub_category ? { subCategory: template.sub_category } : {}),
		parameterFormat: template.parameter_format ?? 'POSITIONAL',
		quality: template.quality_score?.score ?? 'UNKNOWN',
		rejectionReason: reason ?? 'NONE',
		...(reason && reason !== 'NONE'
			? { rejectionMeaning: rejectionReasons[reason] ?? reason }
			: {}),
		components: template.components as unknown as IDataObject[],
	};
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

/**
 * WhatsApp Templates: Create and Submit checks every item against Meta's rules before submitting any (one item per
 * language); List, Get and Delete call the management API. After a create or delete the template dropdowns of
 * this instance load the list again.
 */
export async function runTemplateOperation(
	ctx: IExecuteFunctions,
	continueOnFail: boolean,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const operation = ctx.getNodeParameter('operation', 0) as 'create' | 'list' | 'get' | 'delete';
	const { client, credentials } = await cloudApiClient(ctx);
	const secrets = secretsOf(credentials);
	const node = ctx.getNode();
	const out: INodeExecutionData[] = [];
	const failed = (index: number, error: Error) => {
		if (!continueOnFail) throw error;
		out.push(errorItem(error, index, { status: 'failed' }));
	};
	const apiCall = async <T>(index: number, call: () => Promise<T>): Promise<T | undefined> => {
		try {
			return await call();
		} catch (error) {
			failed(index, toNodeError(node, error, { itemIndex: index, secrets }));
			return undefined;
		}
	};

	if (operation === 'list') {
		const filters = ctx.getNodeParameter('filters', 0, {}) as {
			name?: string;
			status?: string[];
			category?: string;
			language?: string;
		};
		const templates = await apiCall(0, () =>
			client.listTemplates({
				fields: TEMPLATE_DETAIL_FIELDS,
				...(filters.status?.length === 1 ? { status: filters.status[0] } : {}),
			}),
		);
		if (!templates) return out;
		const wanted = templates.filter(
			(template) =>
				(!filters.name || template.name.includes(filters.name)) &&
				(!filters.status?.length || filters.status.includes(template.status)) &&
				(!filters.category || template.category === filters.category) &&
				(!filters.language || template.language === filters.language),
		);
		return wanted.map((template) => ({ json: templateItem(template), pairedItem: { item: 0 } }));
	}

	if (operation === 'create') {
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
		return order(out);
	}

	for (let index = 0; index < items.length; index++) {
		const templateId = String(ctx.getNodeParameter('templateId', index, '') ?? '').trim();
		if (operation === 'get') {
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
			continue;
		}
		const name = String(ctx.getNodeParameter('name', index, '') ?? '').trim();
		if (!name) {
			failed(
				index,
				fieldError(
					node,
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
	return order(out);
}

/** Outputs in input order (failed items were pushed before the submitted ones). */
function order(out: INodeExecutionData[]): INodeExecutionData[] {
	const itemOf = (entry: INodeExecutionData) => (entry.pairedItem as { item: number }).item;
	return [...out].sort((a, b) => itemOf(a) - itemOf(b));
}
