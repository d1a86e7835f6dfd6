import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as deleteTemplate from './delete.operation';
import * as get from './get.operation';
import * as list from './list.operation';

export { create, deleteTemplate, get, list };

/** The Operation selector: each operation's parameters and run are in its own `<operation>.operation.ts`. */
export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Create and Submit',
			value: 'create',
			action: 'Create and submit a template',
			description: 'Submit a template in one language for review (one item per language)',
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a template',
			description: 'Delete every language of a template, or one language by its template ID',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a template',
			description: 'Get a template by ID, or every language of a name',
		},
		{
			name: 'List',
			value: 'list',
			action: 'List templates',
			description: 'List templates with status, category, quality and rejection reason',
		},
	],
	default: 'create',
};
