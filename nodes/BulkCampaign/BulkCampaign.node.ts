import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { DEFAULT_RATE_CARD } from '../../lib/campaign/rate-card';
import { STORE_CREDENTIAL_TEST, storeCredentialTest, storeProperties } from '../shared/store';
import { getTemplateFields, getTemplateLanguages, getTemplates, templateProperties } from '../shared/templates';
import { runSend } from './execute';
import { runReport } from './report';
import { campaignPeriodProperties, reportPeriodOptions, sendWindowProperties } from './recurring';

const send = { operation: ['send'] };

export class BulkCampaign implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bulk Campaign',
		name: 'bulkCampaign',
		icon: 'file:whatsapp.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "report" ? "Report" : $parameter["template"] }}',
		description:
			'Send one WhatsApp template to every input item, each exactly once, at the number\'s full throughput: resumable, with skips and reasons, a dry run with costs, and a delivery report',
		defaults: { name: 'Bulk Campaign' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Sent', 'Not Sent'],
		credentials: [
			{ name: 'whatsAppCloudApi', required: true, displayOptions: { show: send } },
			// Literal (not the shared array) so n8n's lint rules can read it.
			{ name: 'whatsAppStoreRedisApi', required: true, testedBy: 'whatsAppStoreRedisConnectionTest', displayOptions: { show: { store: ['redis'] } } },
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
						description: 'The funnel of a campaign (sent, delivered, read, replied, failed by code) from the statuses the trigger recorded',
						action: 'Report on a campaign',
					},
				],
				default: 'send',
			},
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
			...campaignPeriodProperties.map((property) => ({ ...property, displayOptions: { ...property.displayOptions, show: { ...send, ...(property.displayOptions?.show ?? {}) } } })),
			{
				displayName: 'Recipient Phone',
				name: 'phone',
				type: 'string',
				default: '',
				required: true,
				placeholder: '={{ $json.phone }}',
				description: 'Each recipient\'s WhatsApp number in international format (E.164) or a wa_ID. Numbers without country code use the Default Country option.',
				displayOptions: { show: send },
			},
			...templateProperties.map((property) => ({ ...property, displayOptions: { show: send } })),
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to only estimate: nothing is claimed or sent. Outputs each recipient\'s rendered message, validation result and price category, plus a summary with the cost by category and country, the recipients outside the 24-hour window and the messaging-limit check.',
				displayOptions: { show: send },
			},
			...sendWindowProperties.map((property) => ({ ...property, displayOptions: { show: send } })),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				displayOptions: { show: send },
				options: [
					{
						displayName: 'Add Summary Item',
						name: 'addSummary',
						type: 'boolean',
						default: false,
						description: 'Whether to add one item at the end of the Sent output with the counts by outcome and Meta code, the duration and the achieved messages per second',
					},
					{
						displayName: 'Campaign ID',
						name: 'campaignId',
						type: 'string',
						default: '',
						description: 'Overrides the ID derived from the workflow, node, template and Campaign Name, e.g. to continue a campaign started by another workflow',
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
						displayName: 'Delivery Guarantee',
						name: 'deliveryGuarantee',
						type: 'options',
						options: [
							{
								name: 'At Most Once',
								value: 'atMostOnce',
								description: 'A request without an answer is never resent: it stays "uncertain" until its status webhook (WhatsApp HSM Trigger) settles it',
							},
							{
								name: 'At Least Once',
								value: 'atLeastOnce',
								description: 'A request without an answer is resent when no status webhook confirmed it within the quiet period (a rare duplicate is possible if Meta\'s webhook is later than that)',
							},
						],
						default: 'atMostOnce',
					},
					{
						displayName: 'Frequency Cap',
						name: 'frequencyCap',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description: 'At most this many marketing templates per contact in the Frequency Cap Period, across campaigns (0: no cap). Counted from the store.',
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
							'Upper bound of the sending rate. 0: the number\'s throughput read from the API (80 msg/s, or 1,000 for numbers Meta upgraded); a lower value caps it.',
					},
					{
						displayName: 'Quality Check Interval (Seconds)',
						name: 'qualityCheckInterval',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 60,
						description: 'How often the number\'s quality rating is read while sending; the campaign pauses when it turns RED',
					},
					{
						displayName: 'Quiet Period (Seconds)',
						name: 'quietPeriod',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 120,
						description: 'At Least Once: how long to wait for a status webhook before resending a request that got no answer (at least the request timeout + 5 s). The execution waits for it, up to 3 rounds; a later run resends what is left.',
					},
					{
						displayName: 'Rate Card (JSON)',
						name: 'rateCard',
						type: 'json',
						default: JSON.stringify(DEFAULT_RATE_CARD, null, 2),
						description:
							'Dry Run prices per delivered template by category and recipient country. Default: Meta\'s rates effective 2025-07-01 in USD for Argentina, and "other" for every other country. Prices change each quarter: paste your markets from Meta\'s rate card.',
					},
					{
						displayName: 'Request Timeout (Seconds)',
						name: 'requestTimeout',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 30,
						description: 'A request without an answer by then is "uncertain" (it may have reached Meta) and is not resent blindly',
					},
					{
						displayName: 'Retry Failed Recipients',
						name: 'retryFailed',
						type: 'boolean',
						default: false,
						description: 'Whether a rerun tries again the recipients whose send failed in an earlier run (otherwise only paused and new ones are sent)',
					},
					{
						displayName: 'Send to Opted-Out Contacts',
						name: 'sendToOptedOut',
						type: 'boolean',
						default: false,
						description: 'Whether to ignore opt-outs recorded by the WhatsApp HSM Trigger. Authentication templates are always sent.',
					},
					{
						displayName: 'Stale Claim After (Seconds)',
						name: 'staleClaim',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 60,
						description: 'A recipient claimed by an execution that stopped before sending is taken over after this long (safe: a recipient is only claimed, not sent, until its request leaves)',
					},
					{
						displayName: 'Stop If Any Recipient Is Invalid',
						name: 'stopOnInvalid',
						type: 'boolean',
						default: false,
						description: 'Whether to check every recipient before the first send and send nothing when one is invalid (otherwise invalid ones are skipped with the field and the fix)',
					},
					{
						displayName: 'Tags',
						name: 'tags',
						type: 'string',
						default: '',
						placeholder: '={{ $json.segment }}',
						description: 'Per recipient: labels copied to its output item (comma-separated text or a list)',
					},
				],
			},
			{
				displayName: 'Campaign ID',
				name: 'reportCampaignId',
				type: 'string',
				default: '',
				required: true,
				description: 'The campaignId shown in the Bulk Campaign\'s output items',
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
						description: 'Width of the chart\'s time steps (0: chosen from the campaign\'s duration)',
					},
					...reportPeriodOptions,
					{
						displayName: 'Include Chart',
						name: 'includeChart',
						type: 'boolean',
						default: false,
						description: 'Whether to attach the funnel over time as an SVG image (binary data) to the first item',
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
		credentialTest: { [STORE_CREDENTIAL_TEST]: storeCredentialTest },
		resourceMapping: { getTemplateFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0, 'send') as string;
		if (operation === 'report') return runReport(this, this.continueOnFail());
		return runSend(this, this.continueOnFail());
	}
}
