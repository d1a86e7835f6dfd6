import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as template from './template';
import { openTemplateRun } from './template/shared';

const operations = {
	create: template.create,
	delete: template.deleteTemplate,
	get: template.get,
	list: template.list,
};

/** Runs the chosen operation on every input item (List: once), in one run with one client. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const run = await openTemplateRun(this, this.continueOnFail());
	return [await operations[operation].execute(this, run)];
}
