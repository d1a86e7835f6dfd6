import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as campaign from './campaign';

/** Runs the chosen operation on the whole input: Send paces every recipient of one campaign, Report reads per item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0, 'send') as string;
	if (operation === 'report') return campaign.report.execute(this, this.continueOnFail());
	return campaign.send.execute(this, this.continueOnFail());
}

/**
 * The outputs for the chosen operation and Dry Run, so a dry run never reads as a send on the canvas. Always two,
 * so connections survive a switch. Evaluated by n8n in the editor and the engine (its source goes into the
 * node's outputs expression): keep it self-contained.
 */
export function outputsFor(operation: string, dryRun: boolean) {
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
