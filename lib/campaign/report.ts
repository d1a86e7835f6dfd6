/**
 * The Report operation: a campaign's funnel from what the store recorded (send results, and the statuses the
 * WhatsApp HSM Trigger saw): sent → delivered → read → replied, failed by Meta code, as rows; and the funnel
 * over time as an SVG line chart (cumulative counts per time bucket).
 */
import { describeError } from '../cloud-api/errors';
import type { StoredCampaignSummary } from '../store/types';

export type FunnelStep = 'sent' | 'delivered' | 'read' | 'replied' | 'failed';

/** One step of a campaign's funnel (sent, delivered, read, replied, failed) for the Report operation. */
export interface FunnelRow {
	campaignId: string;
	step: FunnelStep;
	count: number;
	/** Share of the sent messages (delivered, read, replied, failed) or of all recipients (sent) */
	percent: number;
	/** failed rows only: one row per Meta code */
	code?: string;
	meaning?: string;
}

const STEPS: FunnelStep[] = ['sent', 'delivered', 'read', 'replied'];

const pct = (part: number, whole: number) =>
	whole > 0 ? Math.round((part * 1000) / whole) / 10 : 0;

/** A stored campaign summary → the funnel rows of the Report operation. */
export function funnelRows(summary: StoredCampaignSummary): FunnelRow[] {
	const { funnel, campaignId } = summary;
	const rows: FunnelRow[] = STEPS.map((step) => ({
		campaignId,
		step,
		count: funnel[step],
		percent: step === 'sent' ? pct(funnel.sent, summary.total) : pct(funnel[step], funnel.sent),
	}));
	const codes = Object.entries(summary.failedByCode).sort(([, a], [, b]) => b - a);
	for (const [code, count] of codes) {
		const numeric = Number(code);
		rows.push({
			campaignId,
			step: 'failed',
			count,
			percent: pct(count, summary.total),
			code,
			meaning: Number.isFinite(numeric) ? describeError(numeric).meaning : 'No error code given',
		});
	}
	return rows;
}

const COLOURS: Record<FunnelStep, string> = {
	sent: '#3b82f6',
	delivered: '#10b981',
	read: '#8b5cf6',
	replied: '#f59e0b',
	failed: '#ef4444',
};

const escapeXml = (text: string) =>
	text.replace(
		/[<>&"']/g,
		(c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
	);

/** The funnel over time: one cumulative line per step, time on x. A self-contained SVG document. */
export function funnelChartSvg(
	summary: StoredCampaignSummary,
	options: { width?: number; height?: number; title?: string } = {},
): string {
	const width = options.width ?? 800;
	const height = options.height ?? 420;
	const pad = { left: 64, right: 150, top: 48, bottom: 56 };
	const plotW = width - pad.left - pad.right;
	const plotH = height - pad.top - pad.bottom;
	const title =
		options.title ??
		`Campaign ${summary.campaignId}: ${summary.funnel.sent} sent, ${summary.funnel.delivered} delivered, ${summary.funnel.read} read, ${summary.funnel.replied} replied, ${summary.funnel.failed} failed`;
	const timeline = summary.timeline;
	const steps: FunnelStep[] = [...STEPS, 'failed'];
	const series = steps.map((step) => {
		let total = 0;
		return timeline.map((bucket) => (total += bucket[step]));
	});
	const top = Math.max(1, ...series.map((values) => values[values.length - 1] ?? 0));
	const first = timeline[0]?.from ?? 0;
	const bucketMs = timeline.length > 1 ? timeline[1].from - timeline[0].from : 60_000;
	const last = (timeline[timeline.length - 1]?.from ?? first) + bucketMs;
	const x = (at: number) => pad.left + (last > first ? ((at - first) / (last - first)) * plotW : 0);
	const y = (value: number) => pad.top + plotH - (value / top) * plotH;
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
		`<rect width="100%" height="100%" fill="#ffffff"/>`,
		`<text x="${pad.left}" y="24" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
		`<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#444"/>`,
		`<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + plotH}" stroke="#444"/>`,
	];
	for (let i = 0; i <= 4; i++) {
		const value = Math.round((top * i) / 4);
		parts.push(`<text x="${pad.left - 8}" y="${y(value) + 4}" text-anchor="end">${value}</text>`);
		parts.push(
			`<line x1="${pad.left}" y1="${y(value)}" x2="${pad.left + plotW}" y2="${y(value)}" stroke="#eee"/>`,
		);
	}
	if (timeline.length > 0) {
		for (const [at, anchor] of [
			[first, 'start'],
			[last, 'end'],
		] as const) {
			parts.push(
				`<text x="${x(at)}" y="${pad.top + plotH + 20}" text-anchor="${anchor}">${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC</text>`,
			);
		}
	} else {
		parts.push(
			`<text x="${pad.left + plotW / 2}" y="${pad.top + plotH / 2}" text-anchor="middle" fill="#888">No statuses recorded yet</text>`,
		);
	}
	steps.forEach((step, s) => {
		const values = series[s];
		if (values.length > 0) {
			const points = [
				`${x(first)},${y(0)}`,
				...values.map(
					(value, i) => `${x(timeline[i].from + bucketMs).toFixed(1)},${y(value).toFixed(1)}`,
				),
			];
			parts.push(
				`<polyline fill="none" stroke="${COLOURS[step]}" stroke-width="2" points="${points.join(' ')}"/>`,
			);
		}
		const ly = pad.top + 16 + s * 20;
		parts.push(
			`<rect x="${width - pad.right + 16}" y="${ly - 9}" width="12" height="12" fill="${COLOURS[step]}"/>`,
		);
		parts.push(
			`<text x="${width - pad.right + 34}" y="${ly + 1}">${step} (${values[values.length - 1] ?? 0})</text>`,
		);
	});
	parts.push('</svg>');
	return parts.join('\n');
}
