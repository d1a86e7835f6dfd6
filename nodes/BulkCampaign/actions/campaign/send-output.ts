/**
 * Bulk Campaign › Send, the last phase: lib/campaign's results as the node's two outputs (Sent / Not Sent, or the
 * dry run's Would Send / Would Skip), each item paired with its recipient's input item, the summary with all.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { DryRunRow, RecipientOutcome, runBulkCampaign } from '../../../../lib/campaign';
import { describeError } from '../../../../lib/cloud-api/errors';
import type { SendSettings } from './send-settings';

/** Sent and Not Sent, as Options › Output asks: every recipient, only the ones not sent, or the summary alone. */
export function sendOutputs(
	settings: SendSettings,
	report: Awaited<ReturnType<typeof runBulkCampaign>>,
	total: number,
): INodeExecutionData[][] {
	const sent: INodeExecutionData[] = [];
	const notSent: INodeExecutionData[] = [];
	const base = {
		campaignId: settings.campaignId,
		template: settings.template.name,
		...periodField(settings),
	};
	// The store has every recipient's result whatever is output here.
	const output = settings.options.output ?? 'all';
	if (output !== 'summary') {
		for (const outcome of report.outcomes) {
			if (outcome.status === 'sent' && output === 'notSent') continue;
			(outcome.status === 'sent' ? sent : notSent).push({
				json: outcomeJson(outcome, base),
				pairedItem: { item: outcome.index },
			});
		}
	}
	if (settings.options.addSummary || output !== 'all') {
		sent.push({
			json: {
				type: 'summary',
				...(report.summary as unknown as IDataObject),
				...periodSummary(settings),
			},
			pairedItem: allItems(total),
		});
	}
	return [sent, notSent];
}

/** Stop If Any Recipient Is Invalid with Continue On Fail: nothing sent, each recipient says why (its own problem, or the others'). */
export function stoppedOutputs(
	settings: SendSettings,
	invalid: Array<{ index: number; message?: string }>,
	total: number,
): INodeExecutionData[][] {
	const problems = new Map(invalid.map((row) => [row.index, row.message]));
	const why = `Not sent: ${invalid.length} recipient(s) are invalid and "Stop If Any Recipient Is Invalid" is on`;
	return [
		[],
		Array.from({ length: total }, (_, index) => ({
			json: problems.has(index)
				? {
						campaignId: settings.campaignId,
						...periodField(settings),
						status: 'skipped',
						reason: 'invalid',
						message: problems.get(index) ?? '',
					}
				: {
						campaignId: settings.campaignId,
						...periodField(settings),
						status: 'skipped',
						reason: 'stopped_invalid_input',
						message: why,
					},
			pairedItem: { item: index },
		})),
	];
}

/** What a dry-run row and a send outcome both say about the recipient: its tags, time zone and send window. */
const RECIPIENT_FIELDS = [
	'tags',
	'timeZone',
	'timeZoneSource',
	'timeZoneNote',
	'localTime',
	'sendWindowOpensAt',
] as const;

/** Copies `key` from lib/campaign's row or outcome into the item's fields when it is set. */
function copy<T extends object>(json: IDataObject, from: T, key: keyof T & string): void {
	if (from[key] !== undefined) json[key] = from[key] as IDataObject[string];
}

/** One dry-run row as its output item's fields. */
export function dryRunJson(settings: SendSettings, row: DryRunRow): IDataObject {
	const json: IDataObject = {
		campaignId: settings.campaignId,
		...periodField(settings),
		dryRun: true,
		status: row.status === 'would_send' ? 'would_send' : 'skipped',
	};
	const phone = row.waId ? `+${row.waId}` : row.phone;
	if (phone !== undefined) json.phone = phone;
	for (const key of [
		'reason',
		'message',
		'field',
		'code',
		'waId',
		'country',
		'template',
		'language',
		'languageMatch',
		'category',
		'priceCategory',
		'price',
		'currency',
		'windowOpen',
		'freeEntryPoint',
		'renderedText',
		...RECIPIENT_FIELDS,
	] as const)
		copy(json, row, key);
	json.valid = row.reason !== 'invalid';
	return json;
}

function outcomeJson(
	outcome: RecipientOutcome,
	base: { campaignId: string; template: string },
): IDataObject {
	const json: IDataObject = { ...base, status: outcome.status };
	const phone = outcome.waId ? `+${outcome.waId}` : outcome.phone;
	if (phone !== undefined) json.phone = phone;
	if (outcome.waId) json.waId = outcome.waId;
	for (const key of [
		'reason',
		'message',
		'code',
		'field',
		'wamid',
		'messageStatus',
		'language',
		'attempts',
		'notBefore',
		'details',
		...RECIPIENT_FIELDS,
	] as const)
		copy(json, outcome, key);
	if (outcome.code !== undefined && outcome.code > 0)
		json.meaning = describeError(outcome.code).meaning;
	return json;
}

/** Every item of a recurring campaign names its period. */
function periodField(settings: SendSettings): IDataObject {
	return settings.recurring.period ? { period: settings.recurring.period.key } : {};
}

/** The summary: the period with its bounds (when the next campaign starts) in the workflow's zone. */
export function periodSummary(settings: SendSettings): IDataObject {
	const period = settings.recurring.period;
	if (!period) return {};
	const json: IDataObject = { period: period.key, periodKind: period.kind };
	if (period.startsAt) json.periodStartsAt = period.startsAt;
	if (period.nextStartsAt) json.nextPeriodStartsAt = period.nextStartsAt;
	if (period.zone) json.periodTimeZone = period.zone;
	return json;
}

/** A summary comes from every input item. */
export function allItems(total: number): Array<{ item: number }> {
	return Array.from({ length: total }, (_, item) => ({ item }));
}
