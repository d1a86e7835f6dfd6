/**
 * What the WhatsApp Templates operations share: the parameters two of them show (each operation adds its own
 * displayOptions), the run they all work in (one client, one Continue On Fail rule), and a template as List and
 * Get output it.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { CloudApiClient } from '../../../../lib/cloud-api/client';
import type { CloudApiCredentials, MessageTemplate } from '../../../../lib/cloud-api/types';
import { rejectionReasons } from '../../../../lib/template-management';
import { errorItem } from '../../../common/error-item';
import { cloudApiClient, secretsOf, toNodeError } from '../../../common/transport';

/** Name: Create and Submit, Delete. */
export const templateNameProperty: INodeProperties = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'lab_results_ready',
	description:
		'Lowercase letters, digits and underscores. The same name in several languages makes one template with translations.',
};

/** Template ID: Get, Delete. */
export const templateIdProperty: INodeProperties = {
	displayName: 'Template ID',
	name: 'templateId',
	type: 'string',
	default: '',
	description:
		'Get: the template ID (hsm_id) of one language; leave empty to get every language of the name below. Delete: only this language.',
};

/** One execution of an operation: its client, its output so far, and how an item fails. */
export interface TemplateRun {
	items: INodeExecutionData[];
	client: CloudApiClient;
	credentials: CloudApiCredentials;
	/** The output, error items included */
	out: INodeExecutionData[];
	/** An item's failure: thrown, or with Continue On Fail an error item in `out` */
	failed: (index: number, error: Error) => void;
	/** A management API call for one item; undefined when it failed (and was reported by `failed`) */
	apiCall: <T>(index: number, call: () => Promise<T>) => Promise<T | undefined>;
}

export async function openTemplateRun(
	ctx: IExecuteFunctions,
	continueOnFail: boolean,
): Promise<TemplateRun> {
	const { client, credentials } = await cloudApiClient(ctx);
	const secrets = secretsOf(credentials);
	const node = ctx.getNode();
	const out: INodeExecutionData[] = [];
	const failed = (index: number, error: Error) => {
		if (!continueOnFail) throw error;
		out.push(errorItem(error, index, { status: 'failed' }));
	};
	const apiCall = async <T>(index: number, call: () => Promise<T>): Promise<T | undefined> => {
		try {
			return await call();
		} catch (error) {
			failed(index, toNodeError(node, error, { itemIndex: index, secrets }));
			return undefined;
		}
	};
	return { items: ctx.getInputData(), client, credentials, out, failed, apiCall };
}

/** A template as list / get output it: Meta's fields plus quality and the rejection reason in words. */
export function templateItem(template: MessageTemplate): IDataObject {
	const reason = template.rejected_reason;
	return {
		id: template.id,
		name: template.name,
		language: template.language,
		status: template.status,
		category: template.category,
		...(template.sub_category ? { subCategory: template.sub_category } : {}),
		parameterFormat: template.parameter_format ?? 'POSITIONAL',
		quality: template.quality_score?.score ?? 'UNKNOWN',
		rejectionReason: reason ?? 'NONE',
		...(reason && reason !== 'NONE'
			? { rejectionMeaning: rejectionReasons[reason] ?? reason }
			: {}),
		components: template.components as unknown as IDataObject[],
	};
}
