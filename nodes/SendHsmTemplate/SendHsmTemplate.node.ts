import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { CLOUD_API_CREDENTIAL_TEST, cloudApiCredentialTest } from '../common/transport';
import {
	STORE_CREDENTIAL_TEST,
	credentialSlot,
	sendToOptedOutOption,
	storeCredentialTest,
	storeProperties,
} from '../common/store';
import {
	getTemplateFields,
	getTemplateLanguages,
	getTemplates,
	templateProperties,
} from '../common/templates';
import { sendTemplates } from './execute';

export class SendHsmTemplate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send HSM Template',
		name: 'sendHsmTemplate',
		icon: { light: 'file:../common/whatsapp.svg', dark: 'file:../common/whatsapp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["template"] }}',
		description:
			'Send an approved WhatsApp template (HSM) to a phone number, with its variables checked before any paid call. Skips opted-out contacts and spent recontacts, and can send free text instead when the 24-hour window is open.',
		defaults: { name: 'Send HSM Template' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{ name: 'whatsAppCloudApi', required: true, testedBy: 'whatsAppCloudApiConnectionTest' },
			{
				name: 'whatsAppStoreRedisApi',
				required: true,
				testedBy: 'whatsAppStoreRedisConnectionTest',
				displayOptions: { show: { store: ['redis'] } },
			},
		],
		properties: [
			// Where n8n's editor puts the credential picker: first, since the template lists come from it.
			credentialSlot,
			{
				displayName: 'Recipient Phone',
				name: 'to',
				type: 'string',
				default: '',
				required: true,
				placeholder: '+54 9 11 5555 1234',
				description:
					"The contact's WhatsApp number with + and country code (e.g. +54 9 11 5555 1234), or a wa_ID (the digits WhatsApp uses). Numbers without country code use Options › Default Country.",
			},
			...templateProperties,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Default Country',
						name: 'defaultCountry',
						type: 'string',
						default: '',
						placeholder: 'AR',
						description:
							'ISO country code for numbers written without country code (e.g. 011 15-5555-1234)',
					},
					{
						displayName: 'Query ID',
						name: 'queryId',
						type: 'string',
						default: '',
						placeholder: 'e.g. ticket-1042',
						description:
							"Identifies the customer's query (ticket, conversation, case) for Recontact Once per Query",
					},
					{
						displayName: 'Recontact Once per Query',
						name: 'recontactOnce',
						type: 'boolean',
						default: false,
						description:
							'Whether to send at most one template per contact and query ID (atomic, across executions and workers); later attempts are skipped with a reason',
					},
					{
						displayName: 'Reference',
						name: 'reference',
						type: 'string',
						default: '',
						description:
							'A reference echoed back in status webhooks (biz_opaque_callback_data), e.g. a CRM ID',
					},
					sendToOptedOutOption,
					{
						displayName: 'Smart Mode (Free Text When Window Open)',
						name: 'smartMode',
						type: 'boolean',
						default: false,
						description:
							"Whether to send the template's text as a free-form message when the contact wrote in the last 24 hours (no template cost), and the template otherwise",
					},
					{
						displayName: 'Timeout (Ms)',
						name: 'timeoutMs',
						type: 'number',
						default: 30000,
						description:
							'How long to wait for the API; a request without an answer is reported as uncertain (it may have been sent)',
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
		return [await sendTemplates(this, this.continueOnFail())];
	}
}
