/**
 * Runs a workflow (JSON as n8n exports it) through n8n-core's real WorkflowExecute, with this package's
 * node types loaded from source and credentials supplied by a small ICredentialsHelper.
 *
 *   const result = await runWorkflow({ nodes, connections }, { credentials: { whatsAppCloudApi: {...} } });
 *   result.output('Check Conversation Window')   // INodeExecutionData[][] (one array per output)
 *   result.json('Send HSM Template')             // first output's json items
 *   result.error                                 // the workflow's error, if it failed
 *
 * Start nodes are test-only "Input Items" nodes (type `test.inputItems`, parameter `items`).
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	NodeConnectionTypes,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeProperties,
	type IConnections,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IExecuteData,
	type ExecutionError,
} from 'n8n-workflow';

import { loadPackage, PackageNodeTypes } from './node-types';
import { TEST_NODE_TYPES } from './test-nodes';

export interface WorkflowJson {
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IDataObject;
	staticData?: IDataObject;
}

export interface RunOptions {
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	extraNodeTypes?: Record<string, INodeType>;
	/** Node to start from; default: the first node without input connections. */
	startNode?: string;
}

export interface RunResult {
	run: IRun;
	error?: ExecutionError;
	output(nodeName: string, runIndex?: number): INodeExecutionData[][];
	json(nodeName: string, outputIndex?: number, runIndex?: number): IDataObject[];
	nodeError(nodeName: string): ExecutionError | undefined;
	/** Every executed node's name, in execution order. */
	executed: string[];
}

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
		private readonly types: Record<string, ICredentialType>,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** Same contract as n8n's CredentialsHelper for the forms our credentials use (function or generic headers). */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const type = this.types[typeName];
		if (!type?.authenticate) return requestOptions;
		if (typeof type.authenticate === 'function')
			return type.authenticate(credentials, requestOptions);
		const headers = { ...(requestOptions.headers ?? {}) } as IDataObject;
		for (const [name, template] of Object.entries(type.authenticate.properties.headers ?? {})) {
			headers[name] = String(template)
				.replace(/^=/, '')
				.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key: string) =>
					String(credentials[key] ?? ''),
				);
		}
		return { ...requestOptions, headers };
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('The engine harness supplies decrypted credentials only (getDecrypted)');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		return { ...data };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types[type]?.properties ?? [];
	}
}

const BASE = 'http://localhost:5678';

export function createAdditionalData(
	credentialsHelper: ICredentialsHelper,
	hooks: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		hooks,
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not used by this package');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE}/rest`,
		instanceBaseUrl: BASE,
		formBaseUrl: `${BASE}/form`,
		formWaitingBaseUrl: `${BASE}/form-waiting`,
		formTestBaseUrl: `${BASE}/form-test`,
		webhookBaseUrl: `${BASE}/webhook`,
		webhookWaitingBaseUrl: `${BASE}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE}/webhook-test`,
		mcpBaseUrl: `${BASE}/mcp`,
		mcpTestBaseUrl: `${BASE}/mcp-test`,
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('Task runners are not used by this package');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

let packageCache: ReturnType<typeof loadPackage> | undefined;

export function packageTypes() {
	packageCache ??= loadPackage();
	return packageCache;
}

export function buildWorkflow(json: WorkflowJson, options: RunOptions = {}): Workflow {
	const { nodes: packageNodes } = packageTypes();
	const nodeTypes = new PackageNodeTypes({
		...packageNodes,
		...TEST_NODE_TYPES,
		...(options.extraNodeTypes ?? {}),
	});
	const nodes = json.nodes.map((node) =>
		withCredentials({ ...node }, nodeTypes, options.credentials ?? {}),
	);
	return new Workflow({
		id: 'test-workflow',
		name: json.name ?? 'Test workflow',
		nodes,
		connections: json.connections,
		active: false,
		nodeTypes,
		staticData: json.staticData ?? {},
		settings: json.settings ?? {},
	});
}

export function credentialsHelperFor(options: RunOptions): ICredentialsHelper {
	return new TestCredentialsHelper(options.credentials ?? {}, packageTypes().credentials);
}

/** Nodes that declare a credential type the test supplies get it, as if the user had selected it. */
function withCredentials(
	node: INode,
	nodeTypes: PackageNodeTypes,
	supplied: Record<string, unknown>,
): INode {
	let type: INodeType;
	try {
		type = nodeTypes.getByNameAndVersion(node.type);
	} catch {
		return node;
	}
	const declared = type.description.credentials ?? [];
	const credentials = { ...(node.credentials ?? {}) };
	for (const { name } of declared) {
		if (supplied[name] && !credentials[name]) credentials[name] = { id: name, name };
	}
	return { ...node, credentials };
}

export async function runWorkflow(
	json: WorkflowJson,
	options: RunOptions = {},
): Promise<RunResult> {
	const workflow = buildWorkflow(json, options);
	const startName =
		options.startNode ??
		json.nodes.find(
			(node) =>
				!Object.values(json.connections).some((outputs) =>
					Object.values(outputs).some((byIndex) =>
						(byIndex ?? []).some((targets) =>
							(targets ?? []).some((target) => target.node === node.name),
						),
					),
				),
		)?.name;
	const startNode = startName ? workflow.getNode(startName) : null;
	if (!startNode) throw new Error('No start node found');

	const executed: string[] = [];
	const workflowData: IWorkflowBase = {
		id: 'test-workflow',
		name: workflow.name ?? 'Test workflow',
		active: false,
		nodes: json.nodes,
		connections: json.connections,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	} as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	hooks.addHandler('nodeExecuteAfter', (nodeName: string) => {
		executed.push(nodeName);
	});
	const additionalData = createAdditionalData(credentialsHelperFor(options), hooks);
	const executionStack: IExecuteData[] = [
		{ node: startNode, data: { main: [[{ json: {} }]] }, source: null },
	];
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: executionStack },
	});
	const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	const run = await workflowExecute.processRunExecutionData(workflow);

	const runData = run.data.resultData.runData;
	const output = (nodeName: string, runIndex?: number): INodeExecutionData[][] => {
		const runs = runData[nodeName];
		if (!runs)
			throw new Error(`Node "${nodeName}" did not run (ran: ${Object.keys(runData).join(', ')})`);
		const task = runs[runIndex ?? runs.length - 1];
		return (task.data?.main ?? []).map((items) => items ?? []);
	};
	return {
		run,
		error: run.data.resultData.error,
		executed,
		output,
		json(nodeName, outputIndex = 0, runIndex) {
			return (output(nodeName, runIndex)[outputIndex] ?? []).map((item) => item.json);
		},
		nodeError(nodeName) {
			const runs = runData[nodeName];
			return runs?.[runs.length - 1]?.error;
		},
	};
}

/** `node` fed by a test.inputItems node holding `items`: the workflow most engine tests run. */
export function afterInputItems(
	node: INode,
	items: unknown[],
	extra: Omit<Partial<WorkflowJson>, 'nodes' | 'connections'> = {},
): WorkflowJson {
	return {
		...extra,
		nodes: [
			{
				id: 'in',
				name: 'Input Items',
				type: 'test.inputItems',
				typeVersion: 1,
				position: [0, 0],
				parameters: { items: JSON.stringify(items) },
			},
			node,
		],
		connections: {
			'Input Items': { main: [[{ node: node.name, type: NodeConnectionTypes.Main, index: 0 }]] },
		},
	};
}
