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
	storeCredentialTest,
	storeProperties,
} from '../common/store';
import { getTemplateFields, getTemplateLanguages, getTemplates } from '../common/templates';
import { operationProperty, report, send } from './actions/campaign';
import { outputsFor, router } from './actions/router';

export class BulkCampaign implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bulk Campaign',
		name: 'bulkCampaign',
		icon: { light: 'file:../common/whatsapp.svg', dark: 'file:../common/whatsapp.dark.svg' },
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
				displayOptions: { show: { operation: ['send'] } },
			},
			{
				name: 'whatsAppStoreRedisApi',
				required: true,
				testedBy: 'whatsAppStoreRedisConnectionTest',
				displayOptions: { show: { store: ['redis'] } },
			},
		],
		properties: [
			operationProperty,
			// The credential picker right after Operation (n8n's editor would put it after Store, below Options).
			credentialSlot,
			...send.description,
			...report.description,
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
		return router.call(this);
	}
}
