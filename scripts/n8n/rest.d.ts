/** Types for rest.js (plain CommonJS so the demo and CI run it without a TypeScript step). */

export declare class N8nRequestError extends Error {
	status: number;
	body: unknown;
}

export interface CredentialRef {
	id: string;
	name: string;
}

export interface StoredCredential extends CredentialRef {
	type: string;
}

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, CredentialRef>;
	webhookId?: string;
	[key: string]: unknown;
}

export interface WorkflowJson {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	staticData?: unknown;
	[key: string]: unknown;
}

export interface StoredWorkflow extends WorkflowJson {
	id: string;
	versionId: string;
	active: boolean;
	activeVersionId?: string | null;
}

export interface PublicationStatus {
	status: 'in_progress' | 'published' | 'partial' | 'failed' | 'not_published';
	liveVersionId: string | null;
	pendingVersionId: string | null;
	triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: 'success' | 'error' | 'crashed' | 'canceled' | 'running' | 'waiting' | 'new' | 'unknown';
	mode: string;
	startedAt: string;
	stoppedAt: string | null;
	finished: boolean;
}

export interface NodeRun {
	data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
	error?: { message: string; [key: string]: unknown };
	[key: string]: unknown;
}

export interface Execution extends ExecutionSummary {
	data: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			error?: { message: string };
			lastNodeExecuted?: string;
		};
	};
}

export interface NodeTypeDescription {
	name: string;
	displayName: string;
	version: number | number[];
	webhooks?: Array<{
		name: string;
		httpMethod: string;
		path: string;
		isFullPath?: boolean | string;
	}>;
	[key: string]: unknown;
}

export interface CredentialTypeDescription {
	name: string;
	displayName: string;
	properties: Array<{ name: string; [key: string]: unknown }>;
	[key: string]: unknown;
}

export interface N8nClient {
	baseUrl: string;
	login(email: string, password: string): Promise<void>;
	createApiKey(label: string): Promise<string>;
	setApiKey(key: string): string;
	/** Editor REST API, `/rest${path}`, owner cookie; returns the unwrapped `data`. */
	rest<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
	/** Public API, `/api/v1${path}`, `X-N8N-API-KEY`. */
	api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
	nodeTypes(): Promise<NodeTypeDescription[]>;
	credentialTypes(): Promise<CredentialTypeDescription[]>;
	createCredential(input: {
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<StoredCredential>;
	createWorkflow(
		workflow: WorkflowJson,
		options?: { credentials?: Record<string, CredentialRef>; name?: string },
	): Promise<StoredWorkflow>;
	publishWorkflow(id: string, options?: { timeoutMs?: number }): Promise<StoredWorkflow>;
	waitForPublication(
		id: string,
		options?: { versionId?: string; timeoutMs?: number; intervalMs?: number },
	): Promise<PublicationStatus>;
	unpublishWorkflow(id: string): Promise<StoredWorkflow>;
	importAndPublish(
		workflow: WorkflowJson,
		options?: { credentials?: Record<string, CredentialRef>; name?: string },
	): Promise<StoredWorkflow>;
	listExecutions(
		workflowId: string,
		options?: { includeData?: boolean; limit?: number },
	): Promise<ExecutionSummary[]>;
	getExecution(id: string): Promise<Execution>;
	lastExecutionId(workflowId: string): Promise<number>;
	waitForExecution(
		workflowId: string,
		options?: { afterId?: number; timeoutMs?: number; intervalMs?: number },
	): Promise<Execution>;
	productionWebhookUrl(
		workflow: StoredWorkflow,
		nodeName: string,
		options?: { webhookName?: string; webhookPath?: string },
	): Promise<string>;
}

export declare function createRestClient(baseUrl: string): N8nClient;
