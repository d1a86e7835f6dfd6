/**
 * Bulk Campaign › Send with Dry Run on: what the campaign would send and cost, from the same checks as a send,
 * without claiming or sending anything.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { estimateCampaign, parseRateCard, type DryRunRow } from '../../../../lib/campaign';
import type { PhoneNumberInfo } from '../../../../lib/cloud-api/types';
import type { ConversationStore } from '../../../../lib/store/types';
import { fieldError } from '../../../common/error-item';
import { allItems, dryRunJson, periodSummary } from './send-output';
import type { SendSettings } from './send-settings';

export async function dryRun(
	ctx: IExecuteFunctions,
	settings: SendSettings,
	run: {
		store: ConversationStore;
		businessNumberId: string;
		total: number;
		phoneInfo: PhoneNumberInfo | undefined;
		rateCap: number | undefined;
	},
): Promise<INodeExecutionData[][]> {
	let rateCard;
	try {
		rateCard = parseRateCard(settings.options.rateCard);
	} catch (error) {
		const message = (error as Error).message;
		throw fieldError(
			ctx.getNode(),
			'Options › Rate Card (JSON)',
			`Options › Rate Card (JSON) — ${message}`,
			{
				description: message,
			},
		);
	}
	const wouldSend: INodeExecutionData[] = [];
	const skipped: INodeExecutionData[] = [];
	const summary = await estimateCampaign({
		read: settings.read,
		total: run.total,
		template: settings.template,
		campaignId: settings.campaignId,
		businessNumberId: run.businessNumberId,
		store: run.store,
		defaultCountry: settings.options.defaultCountry || undefined,
		policy: settings.policy,
		rateCard,
		phoneInfo: run.phoneInfo,
		rateCap: run.rateCap,
		retryFailed: !!settings.options.retryFailed,
		sendWindow: settings.recurring.sendWindow,
		now: () => settings.startedAt,
		onRow: (row: DryRunRow) => {
			(row.status === 'would_send' ? wouldSend : skipped).push({
				json: dryRunJson(settings, row),
				pairedItem: { item: row.index },
			});
		},
	});
	const summaryItem: INodeExecutionData = {
		json: { type: 'summary', ...(summary as unknown as IDataObject), ...periodSummary(settings) },
		pairedItem: allItems(run.total),
	};
	return [wouldSend, skipped, [summaryItem]];
}
