/** One log line per progress report: what a user watching n8n's log wants to know. */
import type { CampaignProgressReport } from './run';

function duration(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	const h = Math.floor(seconds / 3600);
	const m = Math.floor((seconds % 3600) / 60);
	const s = seconds % 60;
	return h > 0
		? `${h}h${String(m).padStart(2, '0')}m`
		: m > 0
			? `${m}m${String(s).padStart(2, '0')}s`
			: `${s}s`;
}

/** One log line for a progress report: sent, not sent, remaining, msg/s, ETA. */
export function formatProgress(progress: CampaignProgressReport): string {
	const eta = progress.etaMs === undefined ? 'ETA unknown' : `ETA ${duration(progress.etaMs)}`;
	return (
		`Bulk Campaign ${progress.campaignId}: ${progress.sent} sent, ${progress.notSent} not sent, ${progress.remaining} remaining; ` +
		`${progress.achievedRate.toFixed(1)} msg/s (allowed ${progress.rate.toFixed(1)}), ${progress.inFlight} in flight, ${progress.retrying} waiting to retry; ` +
		`${eta} (running ${duration(progress.elapsedMs)})`
	);
}
