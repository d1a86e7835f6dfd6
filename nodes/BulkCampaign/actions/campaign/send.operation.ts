import { randomUUID } from 'node:crypto';
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import {
	checkCampaignId,
	deriveCampaignId,
	estimateCampaign,
	formatProgress,
	parseRateCard,
	prepareRow,
	runBulkCampaign,
	type DryRunRow,
	type RecipientOutcome,
	type RecipientPolicy,
	type RowReader,
	type TemplateChoice,
} from '../../lib/campaign';
import { describeError } from '../../lib/cloud-api/errors';
import type { CloudApiClient } from '../../lib/cloud-api/client';
import type { PhoneNumberInfo } from '../../lib/cloud-api/types';
import { sendableStatus } from '../../lib/templates';
import { binaryResolver } from '../common/binary';
import { openStore } from '../common/store';
import { describeAvailability, loadTemplates, readVariables } from '../common/templates';
import { campaignClient, type cloudApiClient, toNodeError } from '../common/transport';
import { sharedRateLimiter } from './limiter';
import { readRecurring, type RecurringSettings } from './recurring';

type Options = {
	addSummary?: boolean;
	campaignId?: string;
	defaultCountry?: string;
	deliveryGuarantee?: 'atMostOnce' | 'atLeastOnce';
	frequencyCap?: number;
	frequencyCapDays?: number;
	maxRate?: number;
	output?: 'all' | 'notSent' | 'summary';
	qualityCheckInterval?: number;
	quietPeriod?: number;
	rateCard?: string | IDataObject;
	requestTimeout?: number;
	retryFailed?: boolean;
	sendToOptedOut?: boolean;
	staleClaim?: number;
	stopOnInvalid?: boolean;
};

interface Settings {
	campaignId: string;
	recurring: RecurringSettings;
	/** The run's start: the period it belongs to, and the clock of the dry run */
	startedAt: number;
	template: TemplateChoice;
	dryRun: boolean;
	options: Options;
	policy: RecipientPolicy;
	read: RowReader;
}

const seconds = (value: number | undefined, fallback: number) =>
	Math.round((Number(value) > 0 ? Number(value) : fallback) * 1000);

/**
 * Send (and Dry Run): campaign-wide settings are read and checked before anything is claimed or sent; then the
 * recipients stream through lib/campaign, which reads each item's parameters only when its turn comes.
 */
export async function runSend(
	ctx: IExecuteFunctions,
	continueOnFail: boolean,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	try {
		return await send(ctx, items.length, continueOnFail);
	} catch (caught) {
		// A refusal of the template list or phone-number read (token, permissions): Meta's code and the fix.
		const error = toNodeError(ctx.getNode(), caught);
		if (!continueOnFail) throw error;
		const description = (error as { description?: string }).description;
		// Every recipient is reported as not sent, with why, so the workflow can route on it.
		return [
			[],
			items.map((_, index) => ({
				json: {
					status: 'failed',
					reason: 'error',
					error: (error as Error).message,
					...(description ? { fix: description } : {}),
				},
				pairedItem: { item: index },
			})),
		];
	}
}

async function send(
	ctx: IExecuteFunctions,
	total: number,
	continueOnFail: boolean,
): Promise<INodeExecutionData[][]> {
	const { client, credentials, close } = await campaignClient(ctx);
	try {
		return await sendWith(ctx, total, continueOnFail, client, credentials);
	} finally {
		close();
	}
}

async function sendWith(
	ctx: IExecuteFunctions,
	total: number,
	continueOnFail: boolean,
	client: CloudApiClient,
	credentials: Awaited<ReturnType<typeof cloudApiClient>>['credentials'],
): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const fieldError = (field: string, message: string) =>
		new NodeOperationError(node, `${field} — ${message}`);
	const settings = await readSettings(ctx, client, credentials, fieldError);
	const store = await openStore(ctx);
	if (total === 0) return [[], []];

	if (settings.options.stopOnInvalid) {
		const invalid = findInvalid(settings, total);
		if (invalid.length > 0 && continueOnFail) {
			// Nothing is sent; each recipient says why: its own problem, or the others'.
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
		if (invalid.length > 0) {
			const first = invalid[0];
			throw new NodeOperationError(node, first.message ?? `Item ${first.index} is invalid`, {
				itemIndex: first.index,
				description: `${invalid.length} recipient(s) are invalid and "Stop If Any Recipient Is Invalid" is on: nothing was sent. First ones: ${invalid
					.slice(0, 5)
					.map((row) => row.message)
					.join(' | ')}`,
			});
		}
	}

	const rateCap =
		Number(settings.options.maxRate) > 0 ? Number(settings.options.maxRate) : undefined;
	if (settings.dryRun) {
		// Without the number's information the estimate still runs, without the tier check.
		const phoneInfo = await client.getPhoneNumberInfo().catch(() => undefined);
		return dryRun(ctx, settings, store, credentials.phoneNumberId, total, phoneInfo, rateCap);
	}

	const limiter =
		store.backend === 'redis' ? await sharedRateLimiter(ctx, credentials.phoneNumberId) : undefined;
	const options = settings.options;
	const report = await runBulkCampaign({
		campaignId: settings.campaignId,
		businessNumberId: credentials.phoneNumberId,
		store,
		api: client,
		template: settings.template,
		total,
		read: settings.read,
		defaultCountry: options.defaultCountry || undefined,
		policy: settings.policy,
		rateCap,
		limiter,
		guarantee: options.deliveryGuarantee === 'atLeastOnce' ? 'at-least-once' : 'at-most-once',
		quietPeriodMs: seconds(options.quietPeriod, 120),
		staleClaimMs: seconds(options.staleClaim, 60),
		requestTimeoutMs: seconds(options.requestTimeout, 30),
		qualityCheckIntervalMs: seconds(options.qualityCheckInterval, 60),
		retryFailed: !!options.retryFailed,
		// Unique per execution, even for two manual runs at once: the store's fences compare owners.
		owner: `${ctx.getExecutionId() || 'manual'}:${randomUUID()}`,
		sendWindow: settings.recurring.sendWindow,
		onWindowWait: ({ untilMs, recipients }) =>
			ctx.logger.info(
				`Bulk Campaign ${settings.campaignId}: waiting until ${new Date(untilMs).toISOString()} for the send window of ${recipients} recipient(s) to open`,
			),
		onProgress: (progress) => ctx.logger.info(formatProgress(progress)),
		signal: ctx.getExecutionCancelSignal?.(),
	}).catch((error: Error) => {
		throw new NodeOperationError(node, error.message, {
			description:
				'Nothing is lost: recipients already sent are recorded, so running the campaign again continues where it stopped.',
		});
	});

	const sent: INodeExecutionData[] = [];
	const notSent: INodeExecutionData[] = [];
	const base = {
		campaignId: settings.campaignId,
		template: settings.template.name,
		...periodField(settings),
	};
	// Output: every recipient, only the ones not sent, or none (the summary alone); the store has them all.
	const output = options.output ?? 'all';
	if (output !== 'summary') {
		for (const outcome of report.outcomes) {
			if (outcome.status === 'sent' && output === 'notSent') continue;
			const json = outcomeJson(outcome, base);
			(outcome.status === 'sent' ? sent : notSent).push({
				json,
				pairedItem: { item: outcome.index },
			});
		}
	}
	if (options.addSummary || output !== 'all') {
		sent.push({
			json: {
				type: 'summary',
				...(report.summary as unknown as IDataObject),
				...periodSummary(settings),
			},
			pairedItem: allItems(total),
		});
	}
	ctx.logger.info(
		`Bulk Campaign ${settings.campaignId}: ${report.summary.counts.sent} sent, ${total - report.summary.counts.sent} not sent in ${Math.round(report.summary.durationMs / 1000)} s (${report.summary.achievedRate} msg/s, cap ${report.summary.rateCap}); ${report.summary.stoppedBy}${report.summary.stopDetail ? `: ${report.summary.stopDetail}` : ''}`,
	);
	return [sent, notSent];
}

async function readSettings(
	ctx: IExecuteFunctions,
	client: CloudApiClient,
	credentials: Awaited<ReturnType<typeof cloudApiClient>>['credentials'],
	fieldError: (field: string, message: string) => NodeOperationError,
): Promise<Settings> {
	const node = ctx.getNode();
	const name = String(ctx.getNodeParameter('template', 0, '') ?? '').trim();
	if (!name)
		throw fieldError('Template', 'choose an approved template (or give its name by expression)');
	const templates = await loadTemplates(client, credentials);
	const translations = templates.filter((template) => template.name === name);
	if (!translations.some((template) => template.status === sendableStatus))
		throw fieldError('Template', describeAvailability(templates, name));
	const campaignName = String(ctx.getNodeParameter('campaignName', 0, '') ?? '').trim();
	const options = ctx.getNodeParameter('options', 0, {}) as Options;
	let campaignId = String(options.campaignId ?? '').trim();
	if (campaignId) {
		const problem = checkCampaignId(campaignId);
		if (problem) throw fieldError('Options › Campaign ID', problem);
	} else {
		if (!campaignName)
			throw fieldError(
				'Campaign Name',
				'give the campaign a name: it makes reruns continue the same campaign instead of sending again',
			);
		campaignId = deriveCampaignId({
			workflowId: String(ctx.getWorkflow().id ?? ''),
			nodeName: node.name,
			template: name,
			name: campaignName,
		});
	}
	const startedAt = Date.now();
	const recurring = readRecurring(ctx, campaignId, startedAt, fieldError);
	campaignId = recurring.campaignId;
	const cap = Number(options.frequencyCap ?? 0);
	if (!Number.isFinite(cap) || cap < 0)
		throw fieldError('Options › Frequency Cap', 'must be 0 (no cap) or a number of templates');
	const days = Number(options.frequencyCapDays ?? 7);
	if (cap > 0 && !(days > 0))
		throw fieldError('Options › Frequency Cap Period (Days)', 'must be a number of days above 0');
	if (options.maxRate !== undefined && !(Number(options.maxRate) >= 0))
		throw fieldError(
			'Options › Max Messages per Second',
			"must be 0 (the number's throughput) or a positive number",
		);
	if (
		options.deliveryGuarantee === 'atLeastOnce' &&
		seconds(options.quietPeriod, 120) < seconds(options.requestTimeout, 30) + 5_000
	) {
		throw fieldError(
			'Options › Quiet Period (Seconds)',
			`must be at least the request timeout + 5 s (${seconds(options.requestTimeout, 30) / 1000 + 5} s), or a request still on its way could be resent`,
		);
	}
	const defaultLanguage = String(ctx.getNodeParameter('defaultLanguage', 0, '') ?? '');
	const read: RowReader = (index) => ({
		phone: ctx.getNodeParameter('phone', index, ''),
		values: readVariables(ctx, index),
		language: ctx.getNodeParameter('recipientLanguage', index, ''),
		tags: ctx.getNodeParameter('options.tags', index, ''),
		binary: binaryResolver(ctx, index),
		timeZone: recurring.readTimeZone(index),
	});
	return {
		campaignId,
		recurring,
		startedAt,
		template: { name, translations, defaultLanguage },
		dryRun: ctx.getNodeParameter('dryRun', 0, false) as boolean,
		options,
		policy: {
			sendToOptedOut: !!options.sendToOptedOut,
			frequencyCap: cap > 0 ? { max: cap, periodMs: days * 86_400_000 } : undefined,
		},
		read,
	};
}

/** Stop If Any Recipient Is Invalid: every row built once, before anything is claimed or sent. */
function findInvalid(
	settings: Settings,
	total: number,
): Array<{ index: number; message?: string }> {
	const invalid: Array<{ index: number; message?: string }> = [];
	for (let index = 0; index < total; index++) {
		const row = prepareRow(index, settings.read, {
			template: settings.template,
			campaignId: settings.campaignId,
			defaultCountry: settings.options.defaultCountry || undefined,
			sendWindow: settings.recurring.sendWindow,
		});
		if (row.kind === 'skipped') invalid.push({ index, message: row.message });
	}
	return invalid;
}

async function dryRun(
	ctx: IExecuteFunctions,
	settings: Settings,
	store: Awaited<ReturnType<typeof openStore>>,
	businessNumberId: string,
	total: number,
	phoneInfo: PhoneNumberInfo | undefined,
	rateCap: number | undefined,
): Promise<INodeExecutionData[][]> {
	let rateCard;
	try {
		rateCard = parseRateCard(settings.options.rateCard);
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Options › Rate Card (JSON) — ${(error as Error).message}`,
			{ description: (error as Error).message },
		);
	}
	const wouldSend: INodeExecutionData[] = [];
	const skipped: INodeExecutionData[] = [];
	const summary = await estimateCampaign({
		read: settings.read,
		total,
		template: settings.template,
		campaignId: settings.campaignId,
		businessNumberId,
		store,
		defaultCountry: settings.options.defaultCountry || undefined,
		policy: settings.policy,
		rateCard,
		phoneInfo,
		rateCap,
		retryFailed: !!settings.options.retryFailed,
		sendWindow: settings.recurring.sendWindow,
		now: () => settings.startedAt,
		onRow: (row: DryRunRow) => {
			const json = {
				campaignId: settings.campaignId,
				...periodField(settings),
				dryRun: true,
				...dryRunJson(row),
			};
			(row.status === 'would_send' ? wouldSend : skipped).push({
				json,
				pairedItem: { item: row.index },
			});
		},
	});
	wouldSend.push({
		json: { type: 'summary', ...(summary as unknown as IDataObject), ...periodSummary(settings) },
		pairedItem: allItems(total),
	});
	return [wouldSend, skipped];
}

function dryRunJson(row: DryRunRow): IDataObject {
	const json: IDataObject = { status: row.status === 'would_send' ? 'would_send' : 'skipped' };
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
		'tags',
		'timeZone',
		'timeZoneSource',
		'timeZoneNote',
		'localTime',
		'sendWindowOpensAt',
	] as const) {
		if (row[key] !== undefined) json[key] = row[key] as IDataObject[string];
	}
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
		'tags',
		'timeZone',
		'timeZoneSource',
		'timeZoneNote',
		'localTime',
		'sendWindowOpensAt',
	] as const) {
		if (outcome[key] !== undefined) json[key] = outcome[key] as IDataObject[string];
	}
	if (outcome.code !== undefined && outcome.code > 0)
		json.meaning = describeError(outcome.code).meaning;
	return json;
}

/** Every item of a recurring campaign names its period. */
function periodField(settings: Settings): IDataObject {
	return settings.recurring.period ? { period: settings.recurring.period.key } : {};
}

/** The summary: the period with its bounds (when the next campaign starts) in the workflow's zone. */
function periodSummary(settings: Settings): IDataObject {
	const period = settings.recurring.period;
	if (!period) return {};
	const json: IDataObject = { period: period.key, periodKind: period.kind };
	if (period.startsAt) json.periodStartsAt = period.startsAt;
	if (period.nextStartsAt) json.nextPeriodStartsAt = period.nextStartsAt;
	if (period.zone) json.periodTimeZone = period.zone;
	return json;
}

/** A summary comes from every input item. */
function allItems(total: number): Array<{ item: number }> {
	return Array.from({ length: total }, (_, item) => ({ item }));
}
