/** A campaign's funnel computed from its recipient records (the same code for both backends). */
import { RECIPIENT_STATES, STATUS_RANK } from './merge-rules';
import type { StoredCampaignSummary, FunnelBucket, RecipientRecord, RecipientState } from './types';

const NICE_BUCKETS_MS = [60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 86_400_000];
const MAX_BUCKETS = 10_000;

type Step = 'sent' | 'delivered' | 'read' | 'replied' | 'failed';

/** When each funnel step happened for one recipient (undefined: not reached). */
function stepTimes(record: RecipientRecord): Record<Step, number | undefined> {
	const times = record.statusTimes;
	const rank = record.status ? STATUS_RANK[record.status] : 0;
	const sentAt =
		record.sentAt ??
		times.sent ??
		(record.status
			? Math.min(...Object.values(times).filter((t): t is number => t !== undefined))
			: undefined);
	// Meta may skip `delivered` when a message is read at once: read implies delivered.
	const readAt = times.read ?? times.played;
	const deliveredAt = rank >= STATUS_RANK.delivered ? (times.delivered ?? readAt) : undefined;
	const failed = record.state === 'failed' || record.status === 'failed';
	return {
		sent: record.state === 'sent' || record.status !== undefined ? sentAt : undefined,
		delivered: deliveredAt,
		read: rank >= STATUS_RANK.read ? readAt : undefined,
		replied: record.repliedAt,
		failed: failed ? (times.failed ?? record.updatedAt) : undefined,
	};
}

function chooseBucket(span: number): number {
	return (
		NICE_BUCKETS_MS.find((size) => span / size <= 48) ?? NICE_BUCKETS_MS[NICE_BUCKETS_MS.length - 1]
	);
}

/**
 * A campaign's stored recipients → its state counts, funnel, failures by code and timeline.
 *
 * @throws RangeError when bucketMs is not a positive number.
 */
export function summarise(
	campaignId: string,
	records: Iterable<RecipientRecord>,
	bucketMs?: number,
): StoredCampaignSummary {
	if (bucketMs !== undefined && (!Number.isFinite(bucketMs) || bucketMs <= 0))
		throw new RangeError('bucketMs must be a positive number of milliseconds');
	const states = Object.fromEntries(RECIPIENT_STATES.map((state) => [state, 0])) as Record<
		RecipientState,
		number
	>;
	const funnel = { sent: 0, delivered: 0, read: 0, replied: 0, failed: 0 };
	const failedByCode: Record<string, number> = {};
	const events: Array<[Step, number]> = [];
	let total = 0;
	let firstAt: number | undefined;
	let lastAt: number | undefined;
	for (const record of records) {
		total++;
		states[record.state]++;
		const steps = stepTimes(record);
		for (const step of Object.keys(steps) as Step[]) {
			const at = steps[step];
			if (at === undefined) continue;
			funnel[step]++;
			events.push([step, at]);
			if (firstAt === undefined || at < firstAt) firstAt = at;
			if (lastAt === undefined || at > lastAt) lastAt = at;
		}
		if (steps.failed !== undefined) {
			const code = String(
				(record.state === 'failed' ? record.code : undefined) ?? record.statusCode ?? 'unknown',
			);
			failedByCode[code] = (failedByCode[code] ?? 0) + 1;
		}
	}
	const timeline: FunnelBucket[] = [];
	if (firstAt !== undefined && lastAt !== undefined) {
		const size = bucketMs ?? chooseBucket(lastAt - firstAt);
		const origin = Math.floor(firstAt / size) * size;
		const count = Math.floor((lastAt - origin) / size) + 1;
		if (count > MAX_BUCKETS)
			throw new RangeError(
				`bucketMs ${size} gives ${count} buckets (at most ${MAX_BUCKETS}): use a larger bucket`,
			);
		for (let i = 0; i < count; i++)
			timeline.push({
				from: origin + i * size,
				sent: 0,
				delivered: 0,
				read: 0,
				replied: 0,
				failed: 0,
			});
		for (const [step, at] of events) timeline[Math.floor((at - origin) / size)][step]++;
	}
	const summary: StoredCampaignSummary = {
		campaignId,
		total,
		states,
		funnel,
		failedByCode,
		timeline,
	};
	if (firstAt !== undefined) summary.firstAt = firstAt;
	if (lastAt !== undefined) summary.lastAt = lastAt;
	return summary;
}
