/**
 * Bulk Campaign › Send (and its Dry Run): the operation's parameters and its run, in named phases:
 * 1. the campaign-wide settings, checked before anything is claimed or sent (send-settings.ts);
 * 2. Stop If Any Recipient Is Invalid: every recipient checked first, nothing sent when one is invalid;
 * 3. Dry Run: the estimate instead of a send (dry-run.ts); or
 * 4. the send: the recipients stream through lib/campaign, which reads each item's parameters only when its turn
 *    comes;
 * 5. the outputs (send-output.ts).
 */
import { randomUUID } from 'node:crypto';
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { formatProgress, runBulkCampaign } from '../../../../lib/campaign';
import { DEFAULT_RATE_CARD } from '../../../../lib/campaign/rate-card';
import type { CloudApiClient } from '../../../../lib/cloud-api/client';
import type { CloudApiCredentials } from '../../../../lib/cloud-api/types';
import type { ConversationStore } from '../../../../lib/store/types';
import { errorItems } from '../../../common/error-item';
import { openStore, sendToOptedOutOption } from '../../../common/store';
import { templateProperties } from '../../../common/templates';
import { campaignClient, toNodeError } from '../../../common/transport';
import { sharedRateLimiter } from '../../limiter';
import { campaignPeriodProperties, sendWindowProperties } from '../../recurring';
import { dryRun } from './dry-run';
import { sendOutputs, stoppedOutputs } from './send-output';
import { findInvalid, readSettings, seconds, type SendSettings } from './send-settings';

const send = { operation: ['send'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Campaign Name',
		name: 'campaignName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'October reminders',
		description:
			'With the workflow, this node and the template it forms the campaign ID: rerunning the same campaign (after a crash, a timeout or a manual retry) sends only to recipients not done yet. A new name starts a new campaign. On a schedule, set Campaign Period so that each week (or day, month) is a new campaign.',
		displayOptions: { show: send },
	},
	...campaignPeriodProperties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...send, ...(property.displayOptions?.show ?? {}) },
		},
	})),
	{
		displayName: 'Recipient Phone',
		name: 'phone',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. +54 9 11 5555 1234, usually mapped from the input',
		description:
			"Each recipient's WhatsApp number with + and country code (e.g. +54 9 11 5555 1234), or a wa_ID (the digits WhatsApp uses). Numbers without country code use Options › Default Country.",
		displayOptions: { show: send },
	},
	...templateProperties.map((property) => ({ ...property, displayOptions: { show: send } })),
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		// On for a new node: one click on "Execute step" must not message (and bill) every input row.
		default: true,
		description:
			"Whether to only estimate: nothing is claimed or sent. Outputs each recipient's rendered message, validation result and price category (Would Send, Would Skip), and on Estimate one summary item with the cost by category and country, the recipients outside the 24-hour window and the messaging-limit check.",
		displayOptions: { show: send },
	},
	...sendWindowProperties.map((property) => ({ ...property, displayOptions: { show: send } })),
	{
		displayName:
			'Dry Run is on: nothing is sent or billed. The outputs show what would be sent and a cost estimate. Turn Dry Run off to send the campaign.',
		name: 'dryRunNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...send, dryRun: [true] } },
	},
	{
		displayName:
			'Dry Run is off: executing this node sends the template to every input item, and Meta bills each delivered message',
		name: 'sendNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...send, dryRun: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: send },
		// Ordered by how often users need them, technical ones (delivery guarantee, timeouts, rate card) last.
		// eslint-disable-next-line n8n-nodes-base/node-param-collection-type-unsorted-items
		options: [
			{
				displayName: 'Add Summary Item',
				name: 'addSummary',
				type: 'boolean',
				default: false,
				description:
					'Whether to add one item at the end of the Sent output with the counts by outcome and Meta code, the duration and the achieved messages per second',
			},
			{
				displayName: 'Campaign ID',
				name: 'campaignId',
				type: 'string',
				default: '',
				description:
					'Overrides the ID derived from the workflow, node, template and Campaign Name, e.g. to continue a campaign started by another workflow',
			},
			{
				displayName: 'Default Country',
				name: 'defaultCountry',
				type: 'string',
				default: '',
				placeholder: 'AR',
				description: 'ISO country code for numbers written without country code',
			},
			{
				displayName: 'Frequency Cap',
				name: 'frequencyCap',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'At most this many marketing templates per contact in the Frequency Cap Period, across campaigns (0: no cap). Counted from the store.',
			},
			{
				displayName: 'Frequency Cap Period (Days)',
				name: 'frequencyCapDays',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: 7,
			},
			{
				displayName: 'Max Messages per Second',
				name: 'maxRate',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					"Upper bound of the sending rate. 0: the number's throughput read from the API (80 msg/s, or 1,000 for numbers Meta upgraded); a lower value caps it.",
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{
						name: 'Every Recipient',
						value: 'all',
						description:
							'One item per recipient on Sent or Not Sent (plus the summary with Add Summary Item)',
					},
					{
						name: 'Not Sent + Summary',
						value: 'notSent',
						description:
							'Only the recipients not sent (on Not Sent) and one summary item (on Sent)',
					},
					{
						name: 'Summary Only',
						value: 'summary',
						description:
							'One summary item: for large campaigns, so 100,000 sent items are not written into the execution data',
					},
				],
				default: 'all',
				description:
					"What the node outputs. Every recipient's result is in the store either way (Report operation), and progress is in n8n's log.",
			},
			{
				displayName: 'Retry Failed Recipients',
				name: 'retryFailed',
				type: 'boolean',
				default: false,
				description:
					'Whether a rerun tries again the recipients whose send failed in an earlier run (otherwise only paused and new ones are sent)',
			},
			sendToOptedOutOption,
			{
				displayName: 'Stop If Any Recipient Is Invalid',
				name: 'stopOnInvalid',
				type: 'boolean',
				default: false,
				description:
					'Whether to check every recipient before the first send and send nothing when one is invalid (otherwise invalid ones are skipped with the field and the fix)',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'e.g. october, vip',
				description:
					'Per recipient: labels copied to its output item (comma-separated text or a list)',
			},
			// Technical settings last: n8n lists options in this order.
			{
				displayName: 'Delivery Guarantee',
				name: 'deliveryGuarantee',
				type: 'options',
				options: [
					{
						name: 'At Most Once',
						value: 'atMostOnce',
						description:
							'A request without an answer is never resent: it stays "uncertain" until its status webhook (WhatsApp HSM Trigger) settles it',
					},
					{
						name: 'At Least Once',
						value: 'atLeastOnce',
						description:
							"A request without an answer is resent when no status webhook confirmed it within the quiet period (a rare duplicate is possible if Meta's webhook is later than that)",
					},
				],
				default: 'atMostOnce',
			},
			{
				displayName: 'Quiet Period (Seconds)',
				name: 'quietPeriod',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 120,
				description:
					'At Least Once: how long to wait for a status webhook before resending a request that got no answer (at least the request timeout + 5 s). The execution waits for it, up to 3 rounds; a later run resends what is left.',
			},
			{
				displayName: 'Request Timeout (Seconds)',
				name: 'requestTimeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description:
					'A request without an answer by then is "uncertain" (it may have reached Meta) and is not resent blindly',
			},
			{
				displayName: 'Stale Claim After (Seconds)',
				name: 'staleClaim',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60,
				description:
					'A recipient claimed by an execution that stopped before sending is taken over after this long (safe: a recipient is only claimed, not sent, until its request leaves)',
			},
			{
				displayName: 'Quality Check Interval (Seconds)',
				name: 'qualityCheckInterval',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60,
				description:
					"How often the number's quality rating is read while sending; the campaign pauses when it turns RED",
			},
			{
				displayName: 'Rate Card (JSON)',
				name: 'rateCard',
				type: 'json',
				default: JSON.stringify(DEFAULT_RATE_CARD, null, 2),
				description:
					'Dry Run prices per delivered template by category and recipient country. Default: Meta\'s rates effective 2025-07-01 in USD for Argentina, and "other" for every other country. Prices change each quarter: paste your markets from Meta\'s rate card.',
			},
		],
	},
];

export async function execute(
	ctx: IExecuteFunctions,
	continueOnFail: boolean,
): Promise<INodeExecutionData[][]> {
	const total = ctx.getInputData().length;
	try {
		const { client, credentials, close } = await campaignClient(ctx);
		try {
			return await run(ctx, total, continueOnFail, client, credentials);
		} finally {
			close();
		}
	} catch (caught) {
		// A campaign-wide failure (a setting, the template list or phone-number read refused): Meta's code and the
		// fix. With Continue On Fail every recipient is reported as not sent, with why, so the workflow can route on it.
		const error = toNodeError(ctx.getNode(), caught);
		if (!continueOnFail) throw error;
		return [
			[],
			errorItems(
				error,
				Array.from({ length: total }, (_, index) => index),
				{ status: 'failed', reason: 'error' },
			),
		];
	}
}

async function run(
	ctx: IExecuteFunctions,
	total: number,
	continueOnFail: boolean,
	client: CloudApiClient,
	credentials: CloudApiCredentials,
): Promise<INodeExecutionData[][]> {
	// 1. Settings
	const settings = await readSettings(ctx, client, credentials);
	const store = await openStore(ctx);
	if (total === 0) return [[], []];

	// 2. Stop If Any Recipient Is Invalid
	if (settings.options.stopOnInvalid) {
		const invalid = findInvalid(settings, total);
		if (invalid.length > 0) {
			if (continueOnFail) return stoppedOutputs(settings, invalid, total);
			const first = invalid[0];
			throw new NodeOperationError(
				ctx.getNode(),
				first.message ?? `Item ${first.index} is invalid`,
				{
					itemIndex: first.index,
					description: `${invalid.length} recipient(s) are invalid and "Stop If Any Recipient Is Invalid" is on: nothing was sent. First ones: ${invalid
						.slice(0, 5)
						.map((row) => row.message)
						.join(' | ')}`,
				},
			);
		}
	}

	const rateCap =
		Number(settings.options.maxRate) > 0 ? Number(settings.options.maxRate) : undefined;
	// 3. Dry Run
	if (settings.dryRun) {
		// Without the number's information the estimate still runs, without the tier check.
		const phoneInfo = await client.getPhoneNumberInfo().catch(() => undefined);
		return dryRun(ctx, settings, {
			store,
			businessNumberId: credentials.phoneNumberId,
			total,
			phoneInfo,
			rateCap,
		});
	}

	// 4. Send
	const report = await sendCampaign(ctx, settings, {
		store,
		client,
		businessNumberId: credentials.phoneNumberId,
		total,
		rateCap,
	});
	ctx.logger.info(
		`Bulk Campaign ${settings.campaignId}: ${report.summary.counts.sent} sent, ${total - report.summary.counts.sent} not sent in ${Math.round(report.summary.durationMs / 1000)} s (${report.summary.achievedRate} msg/s, cap ${report.summary.rateCap}); ${report.summary.stoppedBy}${report.summary.stopDetail ? `: ${report.summary.stopDetail}` : ''}`,
	);

	// 5. Outputs
	return sendOutputs(settings, report, total);
}

async function sendCampaign(
	ctx: IExecuteFunctions,
	settings: SendSettings,
	run: {
		store: ConversationStore;
		client: CloudApiClient;
		businessNumberId: string;
		total: number;
		rateCap: number | undefined;
	},
) {
	const limiter =
		run.store.backend === 'redis' ? await sharedRateLimiter(ctx, run.businessNumberId) : undefined;
	const options = settings.options;
	return await runBulkCampaign({
		campaignId: settings.campaignId,
		businessNumberId: run.businessNumberId,
		store: run.store,
		api: run.client,
		template: settings.template,
		total: run.total,
		read: settings.read,
		defaultCountry: options.defaultCountry || undefined,
		policy: settings.policy,
		rateCap: run.rateCap,
		limiter,
		guarantee: options.deliveryGuarantee === 'atLeastOnce' ? 'at-least-once' : 'at-most-once',
		quietPeriodMs: seconds(options.quietPeriod, 120),
		staleClaimMs: seconds(options.staleClaim, 60),
		requestTimeoutMs: seconds(options.requestTimeout, 30),
		qualityCheckIntervalMs: seconds(options.qualityCheckInterval, 60),
		retryFailed: !!options.retryFailed,
		// Not Sent + Summary / Summary Only: a sent recipient's outcome is never output, so it is not held either.
		keepOutcomes: (options.output ?? 'all') === 'all' ? 'all' : 'notSent',
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
		throw new NodeOperationError(ctx.getNode(), error.message, {
			description:
				'Nothing is lost: recipients already sent are recorded, so running the campaign again continues where it stopped.',
		});
	});
}
