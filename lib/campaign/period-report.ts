/**
 * The Report of a recurring campaign, several periods side by side: one row per period with its funnel as
 * columns (n8n's table view then reads like a comparison table), oldest period first.
 */
import type { StoredCampaignSummary } from '../store/types';
import { periodCampaignId } from './period';

/** One period of a recurring campaign in the side-by-side report. */
export interface PeriodFunnelRow {
	campaignId: string;
	period: string;
	/** Recipients the campaign recorded in that period (0: it did not run) */
	total: number;
	sent: number;
	delivered: number;
	read: number;
	replied: number;
	failed: number;
	/** sent of total; delivered, read, replied of sent; failed of total (percent, one decimal) */
	sentPercent: number;
	deliveredPercent: number;
	readPercent: number;
	repliedPercent: number;
	failedPercent: number;
}

const pct = (part: number, whole: number) =>
	whole > 0 ? Math.round((part * 1000) / whole) / 10 : 0;

/** The periods of a recurring campaign side by side, one funnel row each (0 for a period it did not run). */
export function periodComparison(
	baseCampaignId: string,
	periods: Array<{ period: string; summary: StoredCampaignSummary }>,
): PeriodFunnelRow[] {
	return periods.map(({ period, summary }) => {
		const { sent, delivered, read, replied, failed } = summary.funnel;
		return {
			campaignId: periodCampaignId(baseCampaignId, period),
			period,
			total: summary.total,
			sent,
			delivered,
			read,
			replied,
			failed,
			sentPercent: pct(sent, summary.total),
			deliveredPercent: pct(delivered, sent),
			readPercent: pct(read, sent),
			repliedPercent: pct(replied, sent),
			failedPercent: pct(failed, summary.total),
		};
	});
}
