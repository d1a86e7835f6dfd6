import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

/**
 * Test-only node types for engine tests: where a user's workflow starts from a Manual Trigger,
 * a sheet or a CRM, our workflows start from "Input Items", which emits the JSON array it is given.
 * (n8n-nodes-base is not a dependency of this package, so its nodes cannot be loaded here.)
 */
export class InputItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Input Items',
		name: 'inputItems',
		group: ['input'],
		version: 1,
		description: 'Emits the items given as JSON',
		defaults: { name: 'Input Items' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

/**
 * Test-only "Binary Items": each entry `{ json, files: { data: { base64, mimeType, fileName } } }` becomes an item
 * whose binary properties are stored through n8n's own prepareBinaryData (as Read File or HTTP Request would).
 */
export class BinaryItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Binary Items',
		name: 'binaryItems',
		group: ['input'],
		version: 1,
		description: 'Emits items with binary files given as base64',
		defaults: { name: 'Binary Items' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		type Entry = {
			json?: IDataObject;
			files?: Record<string, { base64: string; mimeType: string; fileName?: string }>;
		};
		const entries = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Entry[];
		const items: INodeExecutionData[] = [];
		for (const entry of entries) {
			const binary: INodeExecutionData['binary'] = {};
			for (const [name, file] of Object.entries(entry.files ?? {})) {
				binary[name] = await this.helpers.prepareBinaryData(
					Buffer.from(file.base64, 'base64'),
					file.fileName,
					file.mimeType,
				);
			}
			items.push({ json: entry.json ?? {}, ...(Object.keys(binary).length > 0 ? { binary } : {}) });
		}
		return [items];
	}
}

export const TEST_NODE_TYPES: Record<string, INodeType> = {
	'test.inputItems': new InputItems(),
	'test.binaryItems': new BinaryItems(),
};
