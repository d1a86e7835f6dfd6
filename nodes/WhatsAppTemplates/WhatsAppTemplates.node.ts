import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { CLOUD_API_CREDENTIAL_TEST, cloudApiCredentialTest } from '../common/transport';
import * as template from './actions/template';
import { router } from './actions/router';

export class WhatsAppTemplates implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Templates',
		name: 'whatsAppTemplates',
		icon: { light: 'file:../common/whatsapp.svg', dark: 'file:../common/whatsapp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] + ($parameter["name"] ? ": " + $parameter["name"] : "") }}',
		description:
			"Create and submit WhatsApp message templates for Meta's review (checked against Meta's rules first), list them with status, quality and rejection reason, get or delete them — without leaving n8n.",
		defaults: { name: 'WhatsApp Templates' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// An agent can list or check templates; creating one only submits it for Meta's review.
		usableAsTool: true,
		credentials: [
			{ name: 'whatsAppCloudApi', required: true, testedBy: 'whatsAppCloudApiConnectionTest' },
		],
		properties: [
			template.operationProperty,
			...template.create.description,
			...template.get.description,
			...template.deleteTemplate.description,
			...template.list.description,
		],
	};

	methods = { credentialTest: { [CLOUD_API_CREDENTIAL_TEST]: cloudApiCredentialTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
