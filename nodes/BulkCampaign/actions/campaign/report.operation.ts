/**
 * Bulk Campaign › Report: per input item, the funnel of the campaign it names (sent, delivered, read, replied,
 * failed by code), from the store: the campaign's results and the statuses the trigger recorded.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { funnelChartSvg, funnelRows } from '../../../../lib/campaign';
import {
	periodCampaignId,
	periodsEndingWith,
	splitPeriodCampaignId,
} from '../../../../lib/campaign/period';
import { periodComparison } from '../../../../lib/campaign/period-report';
import { errorItem, fieldError } from '../../../common/error-item';
import { openStore } from '../../../common/store';
import { toNodeError } from '../../../common/transport';
import { reportPeriodOptions } from '../../recurring';

export const description: INodeProperties[] = [
	{
		displayName: 'Campaign ID',
		name: 'reportCampaignId',
		type: 'string',
		default: '',
		required: true,
		description: "The campaignId shown in the Bulk Campaign's output items",
		displayOptions: { show: { operation: ['report'] } },
	},
	{
		displayName: 'Report Options',
		name: 'reportOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: ['report'] } },
		options: [
			{
				displayName: 'Bucket (Minutes)',
				name: 'bucketMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: "Width of the chart's time steps (0: chosen from the campaign's duration)",
			},
			...reportPeriodOptions,
			{
				displayName: 'Include Chart',
				name: 'includeChart',
				type: 'boolean',
				default: false,
				description:
					'Whether to attach the funnel over time as an SVG image (binary data) to the first item',
			},
			{
				displayName: 'Put Chart in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'chart',
				description: 'The binary field that receives the chart',
			},
		],
	},
];

type ReportOptions = {
	bucketMinutes?: number;
	includeChart?: boolean;
	binaryPropertyName?: string;
	comparePeriods?: number;
	periodKeys?: string;
};

/** The periods to compare (oldest first), or undefined for the one campaign given. */
function periodsToCompare(
	campaignId: string,
	options: ReportOptions,
): { base: string; periods: string[] } | undefined {
	const { campaignId: base, period } = splitPeriodCampaignId(campaignId);
	const keys = String(options.periodKeys ?? '')
		.split(',')
		.map((key) => key.trim())
		.filter((key) => key !== '');
	if (keys.length > 0) return { base, periods: keys };
	const count = Math.floor(Number(options.comparePeriods ?? 1));
	if (period && count > 1) return { base, periods: periodsEndingWith(period, count) };
	return undefined;
}

export async function execute(
	ctx: IExecuteFunctions,
	continueOnFail: boolean,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	const store = await openStore(ctx);
	for (let index = 0; index < items.length; index++) {
		try {
			const campaignId = String(ctx.getNodeParameter('reportCampaignId', index, '') ?? '').trim();
			if (!campaignId)
				throw fieldError(
					ctx.getNode(),
					'Campaign ID',
					"Campaign ID — give the campaignId shown in the Bulk Campaign's output items",
					{ itemIndex: index },
				);
			const options = ctx.getNodeParameter('reportOptions', index, {}) as ReportOptions;
			const bucketMinutes = Number(options.bucketMinutes ?? 0);
			const compare = periodsToCompare(campaignId, options);
			if (compare) {
				// Side by side: one item per period (its funnel as columns), oldest first.
				const summaries = [];
				for (const period of compare.periods) {
					let id: string;
					try {
						id = periodCampaignId(compare.base, period);
					} catch (error) {
						throw fieldError(
							ctx.getNode(),
							'Report Options › Compare Period Keys',
							`Report Options › Compare Period Keys — ${(error as Error).message}`,
							{ itemIndex: index },
						);
					}
					summaries.push({ period, summary: await store.summariseCampaign(id) });
				}
				if (summaries.every(({ summary }) => summary.total === 0)) {
					throw fieldError(
						ctx.getNode(),
						'Campaign ID',
						`Campaign ID — the store has no recipients for "${compare.base}" in ${compare.periods.join(', ')}`,
						{
							itemIndex: index,
							description:
								'Copy the campaignId from a Bulk Campaign output item (…@2026-W49), and use the same Conversation Store as that node',
						},
					);
				}
				out.push(
					...periodComparison(compare.base, summaries).map((row) => ({
						json: row as unknown as IDataObject,
						pairedItem: { item: index },
					})),
				);
				continue;
			}
			const summary = await store.summariseCampaign(
				campaignId,
				bucketMinutes > 0 ? { bucketMs: bucketMinutes * 60_000 } : {},
			);
			if (summary.total === 0) {
				throw fieldError(
					ctx.getNode(),
					'Campaign ID',
					`Campaign ID — the store has no recipients for campaign "${campaignId}"`,
					{
						itemIndex: index,
						description:
							'Copy the campaignId from a Bulk Campaign output item, and use the same Conversation Store as that node',
					},
				);
			}
			const { period } = splitPeriodCampaignId(campaignId);
			const rows = funnelRows(summary).map(
				(row) =>
					({
						json: { ...row, ...(period ? { period } : {}), total: summary.total } as IDataObject,
						pairedItem: { item: index },
					}) as INodeExecutionData,
			);
			if (options.includeChart) {
				const svg = funnelChartSvg(summary);
				const binary = await ctx.helpers.prepareBinaryData(
					Buffer.from(svg, 'utf8'),
					`${campaignId}-funnel.svg`,
					'image/svg+xml',
				);
				rows[0].binary = { [options.binaryPropertyName || 'chart']: binary };
			}
			out.push(...rows);
		} catch (error) {
			const nodeError = toNodeError(ctx.getNode(), error, { itemIndex: index });
			if (!continueOnFail) throw nodeError;
			failed.push(errorItem(nodeError, index));
		}
	}
	return [out, failed];
}
