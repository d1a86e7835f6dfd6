import {
	NodeConnectionTypes,
	isToolType,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { CLOUD_API_CREDENTIAL_TEST, cloudApiCredentialTest } from '../common/transport';
import {
	STORE_CREDENTIAL_TEST,
	credentialSlot,
	storeCredentialTest,
	storeProperties,
} from '../common/store';
import { checkWindows } from './execute';

/** Evaluated by n8n in the editor and the engine (its source goes into the outputs expression): keep it self-contained. */
function outputsFor(recontactCheck: boolean) {
	const outputs = [
		{ type: 'main', displayName: 'Open' },
		{ type: 'main', displayName: 'Closed' },
	];
	if (recontactCheck) outputs.push({ type: 'main', displayName: 'Recontact Spent' });
	return outputs;
}

export class CheckConversationWindow implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Check Conversation Window',
		name: 'checkConversationWindow',
		icon: { light: 'file:window.svg', dark: 'file:window.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["channel"] + " · " + ({ store: "from the store", field: "from a field", latest: "later of store and field" })[$parameter["windowSource"]] }}',
		description:
			'Routes contacts by their messaging window: Open (the contact wrote within 24 hours, free-form messages allowed) or Closed (a template is needed, or on Messenger / Instagram wait for the user)',
		defaults: { name: 'Check Conversation Window' },
		// An AI agent may ask "can I write to this contact freely now?": read-only, no cost (see execute()).
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Open / Closed like the If node; "Recontact Spent" appears when that check is on.
		outputs: `={{ (${outputsFor.toString()})($parameter.recontactCheck) }}`,
		credentials: [
			{ name: 'whatsAppCloudApi', required: false, testedBy: 'whatsAppCloudApiConnectionTest' },
			{
				name: 'whatsAppStoreRedisApi',
				required: true,
				testedBy: 'whatsAppStoreRedisConnectionTest',
				displayOptions: { show: { store: ['redis'] } },
			},
		],
		properties: [
			credentialSlot,
			{
				displayName: 'Contact',
				name: 'contact',
				type: 'string',
				default: '={{ $json.wa_id }}',
				required: true,
				placeholder: '+54 9 11 5555 1234',
				description:
					"The contact's wa_ID, phone number (any format; see Default Country) or business-scoped user ID, usually from the WhatsApp HSM Trigger or a CRM field",
			},
			{
				displayName: 'Business Phone Number ID',
				name: 'businessPhoneNumberId',
				type: 'string',
				default: '',
				placeholder: "Empty: the credential's Phone Number ID",
				description:
					"The business number whose conversations to check (WhatsApp phone number ID; page or account ID for Messenger / Instagram). Leave empty to use the WhatsApp HSM Cloud API credential's Phone Number ID.",
			},
			{
				displayName: 'Channel',
				name: 'channel',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Instagram',
						value: 'instagram',
						description:
							'24-hour window; a human agent may answer for 7 days (HUMAN_AGENT tag); no templates',
					},
					{
						name: 'Messenger',
						value: 'messenger',
						description:
							'24-hour window; a human agent may answer for 7 days (HUMAN_AGENT tag); no templates',
					},
					{
						name: 'WhatsApp',
						value: 'whatsapp',
						description:
							'24-hour customer service window; templates outside it; free entry point after ads',
					},
				],
				default: 'whatsapp',
			},
			{
				displayName: 'Window Source',
				name: 'windowSource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Store',
						value: 'store',
						description:
							'Last inbound message recorded by the WhatsApp HSM Trigger (same Conversation Store)',
					},
					{
						name: 'Input Field',
						value: 'field',
						description: 'A last-message time from the input, e.g. a CRM field',
					},
					{
						name: 'Later of Both',
						value: 'latest',
						description: 'The later of the store and the input field',
					},
				],
				default: 'store',
			},
			{
				displayName: 'Last Inbound Time',
				name: 'lastInboundTime',
				type: 'string',
				default: '={{ $json.last_inbound_at }}',
				required: true,
				description:
					'When the contact last wrote: ISO 8601, Unix seconds or milliseconds, or a date. The detected format is shown in the output (window.timestampFormat).',
				displayOptions: { show: { windowSource: ['field', 'latest'] } },
			},
			{
				displayName: 'Treat Spent Recontact as Closed',
				name: 'recontactCheck',
				type: 'boolean',
				default: false,
				description:
					'Whether closed contacts whose one recontact for this query was already sent (Send HSM Template, Recontact Once per Query) leave through a third output, Recontact Spent, with window.action "wait_for_user", so a resume-contact workflow sending templates on Closed cannot reach them a second time. Open contacts stay Open (answering inside the window is not a recontact).',
			},
			{
				displayName: 'Query ID',
				name: 'queryId',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. ticket-1042',
				description:
					'The customer query (ticket, case, conversation) the recontact belongs to; the same expression as in Send HSM Template',
				displayOptions: { show: { recontactCheck: [true] } },
			},
			{
				displayName: 'Window Lengths',
				name: 'windowLengths',
				type: 'collection',
				placeholder: 'Change a length',
				default: {},
				description: 'Meta changes these from time to time; the defaults are the current rules',
				options: [
					{
						displayName: 'Customer Service Window (Hours)',
						name: 'serviceWindowHours',
						type: 'number',
						typeOptions: { minValue: 0.01 },
						default: 24,
						description: "How long after the contact's last message free-form messages are allowed",
					},
					{
						displayName: 'Free Entry Point (Hours)',
						name: 'freeEntryPointHours',
						type: 'number',
						typeOptions: { minValue: 0.01 },
						default: 72,
						description:
							'WhatsApp: how long messages are free after the first reply to a contact who came from an ad or page button',
					},
					{
						displayName: 'Human Agent (Hours)',
						name: 'humanAgentHours',
						type: 'number',
						typeOptions: { minValue: 0.01 },
						default: 168,
						description:
							'Messenger / Instagram: how long after the last message a human agent may answer with the HUMAN_AGENT tag',
					},
					{
						displayName: 'Referral Reply Within (Hours)',
						name: 'referralReplyHours',
						type: 'number',
						typeOptions: { minValue: 0.01 },
						default: 24,
						description:
							'WhatsApp: the first reply must come this soon after the ad / page referral to open the free entry point',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Check At',
						name: 'checkAt',
						type: 'dateTime',
						default: '',
						description:
							'Evaluate the window at this time instead of now, e.g. when a scheduled reminder will go out',
					},
					{
						displayName: 'Default Country',
						name: 'defaultCountry',
						type: 'string',
						default: '',
						placeholder: 'AR',
						description: 'ISO country code for phone numbers written without country code',
					},
					{
						displayName: 'Empty Timestamp Means Never Wrote',
						name: 'emptyTimestampIsNever',
						type: 'boolean',
						default: false,
						description:
							'Whether an empty Last Inbound Time means the contact never wrote (Closed) instead of an error. With Later of Both an empty field always falls back to the store.',
					},
					{
						displayName: 'Max Clock Skew (Seconds)',
						name: 'maxFutureSkewSeconds',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 60,
						description:
							'A Last Inbound Time later than now by more than this is rejected as a unit or time zone mistake',
					},
					{
						displayName: 'Output Field',
						name: 'outputField',
						type: 'string',
						default: 'window',
						description: 'Name of the field added to each item with the window details',
					},
					{
						displayName: 'Timestamp Time Zone',
						name: 'timeZone',
						type: 'string',
						default: '',
						placeholder: 'America/Argentina/Buenos_Aires',
						description:
							"Time zone of Last Inbound Time values written without an offset (e.g. 2024-06-10 14:00). Default: the workflow's time zone.",
					},
				],
			},
			...storeProperties,
		],
	};

	methods = {
		credentialTest: {
			[STORE_CREDENTIAL_TEST]: storeCredentialTest,
			[CLOUD_API_CREDENTIAL_TEST]: cloudApiCredentialTest,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// As an agent's tool (type checkConversationWindowTool) n8n hands the agent only the first output, which
		// would hide every closed window: answer with all contacts in input order, each with its window verdict.
		return await checkWindows(this, this.continueOnFail(), isToolType(this.getNode().type));
	}
}
