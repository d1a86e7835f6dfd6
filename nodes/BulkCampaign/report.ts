import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { funnelChartSvg, funnelRows } from '../../lib/campaign';
import { openStore } from '../shared/store';
import { toNodeError } from '../shared/transport';

type ReportOptions = { bucketMinutes?: number; includeChart?: boolean; binaryPropertyName?: string };

/** Report: per input item, the funnel of the campaign it names, from the store (results and trigger statuses). */
export async function runReport(ctx: IExecuteFunctions, continueOnFail: boolean): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	const store = await openStore(ctx);
	for (let index = 0; index < items.length; index++) {
		try {
			const campaignId = String(ctx.getNodeParameter('reportCampaignId', index, '') ?? '').trim();
			if (!campaignId) throw new NodeOperationError(ctx.getNode(), 'Campaign ID — give the campaignId shown in the Bulk Campaign\'s output items', { itemIndex: index });
			const options = ctx.getNodeParameter('reportOptions', index, {}) as ReportOptions;
			const bucketMinutes = Number(options.bucketMinutes ?? 0);
			const summary = await store.summariseCampaign(campaignId, bucketMinutes > 0 ? { bucketMs: bucketMinutes * 60_000 } : {});
			if (summary.total === 0) {
				throw new NodeOperationError(ctx.getNode(), `Campaign ID — the store has no recipients for campaign "${campaignId}"`, {
					itemIndex: index,
					description: 'Copy the campaignId from a Bulk Campaign output item, and use the same Store as that node',
				});
			}
			const rows = funnelRows(summary).map((row) => ({ json: { ...row, total: summary.total } as IDataObject, pairedItem: { item: index } }) as INodeExecutionData);
			if (options.includeChart) {
				const svg = funnelChartSvg(summary);
				const binary = await ctx.helpers.prepareBinaryData(Buffer.from(svg, 'utf8'), `${campaignId}-funnel.svg`, 'image/svg+xml');
				rows[0].binary = { [options.binaryPropertyName || 'chart']: binary };
			}
			out.push(...rows);
		} catch (error) {
			if (!continueOnFail) throw toNodeError(ctx.getNode(), error, { itemIndex: index });
			failed.push({ json: { error: (error as Error).message }, pairedItem: { item: index } });
		}
	}
	return [out, failed];
}
