import type { INodeProperties } from 'n8n-workflow';

import * as report from './report.operation';
import * as send from './send.operation';

export { report, send };

/** The Operation selector: each operation's parameters and run are in its own `<operation>.operation.ts`. */
export const operationProperty: INodeProperties = {
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
};
