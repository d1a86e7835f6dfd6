import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { DEFAULT_RATE_CARD } from '../../lib/campaign/rate-card';
import { CLOUD_API_CREDENTIAL_TEST, cloudApiCredentialTest } from '../common/transport';
import {
	STORE_CREDENTIAL_TEST,
	credentialSlot,
	storeCredentialTest,
	storeProperties,
} from '../common/store';
import {
	getTemplateFields,
	getTemplateLanguages,
	getTemplates,
	templateProperties,
} from '../common/templates';
import { runSend } from './execute';
import { runReport } from './report';
import { campaignPeriodProperties, reportPeriodOptions, sendWindowProperties } from './recurring';

const send = { operation: ['send'] };

/**
 * The outputs for the chosen operation and Dry Run, so a dry run never reads as a send on the canvas.
 * Evaluated by n8n in the editor and the engine (its source goes into the outputs expression): keep it self-contained.
 */
function outputsFor(operation: string, dryRun: boolean) {
	if (operation === 'report')
		return [
			{ type: 'main', displayName: 'Report' },
			{ type: 'main', displayName: 'Failed' },
		];
	// The estimate on its own output: beside the recipients, n8n's Table view would show every key one kind of
	// item lacks as a red "undefined" cell.
	if (dryRun)
		return [
			{ type: 'main', displayName: 'Would Send' },
			{ type: 'main', displayName: 'Would Skip' },
			{ type: 'main', displayName: 'Estimate' },
		];
	return [
		{ type: 'main', displayName: 'Sent' },
		{ type: 'main', displayName: 'Not Sent' },
	];
}

export class BulkCampaign implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bulk Campaign',
		name: 'bulkCampaign',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "report" ? "Report" : $parameter["template"] }}',
		description:
			"Send one WhatsApp template to every input item, each exactly once, at the number's full throughput: resumable, with skips and reasons, a dry run with costs, and a delivery report",
		defaults: { name: 'Bulk Campaign' },
		// Deliberately not an AI tool: one call sends a paid template to every input item, a whole audience, and
		// an agent's guess must never start that. An agent that needs to message one contact has Send HSM
		// Template (a tool); the key is present so n8n's lint (node-usable-as-tool) sees this was decided.
		usableAsTool: undefined,
		inputs: [NodeConnectionTypes.Main],
		// Sent / Not Sent; Dry Run: Would Send / Would Skip / Estimate; Report: Report / Failed. The first two stay, so
		// their connections survive a switch.
		outputs: `={{ (${outputsFor.toString()})($parameter.operation, $parameter.dryRun) }}`,
		credentials: [
			{
				name: 'whatsAppCloudApi',
				required: true,
				testedBy: 'whatsAppCloudApiConnectionTest',
				displayOptions: { show: send },
			},
			// Literal (not the shared array) so n8n's lint rules can read it.
			{
				name: 'whatsAppStoreRedisApi',
				required: true,
				testedBy: 'whatsAppStoreRedisConnectionTest',
				displayOptions: { show: { store: ['redis'] } },
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Send',
						value: 'send',
						description: 'Send the template to every input item (or estimate it with Dry Run)',
						action: 'Send a campaign',
					},
					{
						name: 'Report',
						value: 'report',
						description:
							'The funnel of a campaign (sent, delivered, read, replied, failed by code) from the statuses the trigger recorded',
						action: 'Report on a campaign',
					},
				],
				default: 'send',
			},
			// The credential picker right after Operation (n8n's editor would put it after Store, below Options).
			credentialSlot,
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
					{
						displayName: 'Send to Opted-Out Contacts',
						name: 'sendToOptedOut',
						type: 'boolean',
						default: false,
						description:
							'Whether to ignore opt-outs recorded by the WhatsApp HSM Trigger. Authentication templates are always sent.',
					},
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
			...storeProperties,
		],
	};

	methods = {
		loadOptions: { getTemplates, getTemplateLanguages },
		credentialTest: {
			[STORE_CREDENTIAL_TEST]: storeCredentialTest,
			[CLOUD_API_CREDENTIAL_TEST]: cloudApiCredentialTest,
		},
		resourceMapping: { getTemplateFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0, 'send') as string;
		if (operation === 'report') return runReport(this, this.continueOnFail());
		return runSend(this, this.continueOnFail());
	}
}
