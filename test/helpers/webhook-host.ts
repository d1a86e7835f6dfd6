/**
 * Serves a webhook node (our WhatsApp HSM Trigger) over real HTTP on loopback, the way n8n's webhook server does:
 * the request's raw bytes, headers and query go through n8n-core's WebhookContext into the node's `webhook()`,
 * and the response is whatever the node wrote. Each request's workflowData (the items that would start an
 * execution) is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionLifecycleHooks, WebhookContext } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	IWebhookData,
	IWebhookDescription,
} from 'n8n-workflow';

import {
	buildWorkflow,
	createAdditionalData,
	credentialsHelperFor,
	type RunOptions,
} from './engine';

export interface HostedRequest {
	method: string;
	status: number;
	/** Items per output, when the request would start an execution */
	outputs?: INodeExecutionData[][];
}

export interface WebhookHost {
	url: string;
	/** Calls the node's webhook() in process (no socket): any headers, even ones HTTP could not carry. Returns the status. */
	call(request: {
		method?: string;
		rawBody: Buffer;
		headers: Record<string, unknown>;
		query?: Record<string, string>;
	}): Promise<number>;
	requests: HostedRequest[];
	/** Items of every execution started so far, per output index */
	items(output: number): IDataObject[];
	stop(): Promise<void>;
}

function expressLike(res: ServerResponse) {
	const adapter = {
		status(code: number) {
			res.statusCode = code;
			return adapter;
		},
		type(contentType: string) {
			res.setHeader(
				'content-type',
				contentType === 'text/plain' ? 'text/plain; charset=utf-8' : contentType,
			);
			return adapter;
		},
		send(body: string) {
			res.end(body);
			return adapter;
		},
		end(body?: string) {
			res.end(body);
			return adapter;
		},
		setHeader: res.setHeader.bind(res),
		get headersSent() {
			return res.headersSent;
		},
	};
	return adapter;
}

/** n8n's logger interface, to capture what a node logs. */
export type CapturedLog = Array<{ level: string; message: string }>;

export async function startWebhookHost(
	node: INode,
	options: RunOptions & { log?: CapturedLog } = {},
): Promise<WebhookHost> {
	const workflow = buildWorkflow({ nodes: [node], connections: {} }, options);
	const workflowNode = workflow.getNode(node.name)!;
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type);
	const requests: HostedRequest[] = [];

	async function handle(
		req: Pick<IncomingMessage, 'url' | 'method' | 'headers'>,
		res: ServerResponse,
		rawBody: Buffer,
	) {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = req.method ?? 'GET';
		const description = (nodeType.description.webhooks ?? []).find(
			(webhook) => webhook.httpMethod === method,
		) as IWebhookDescription;
		const hooks = new ExecutionLifecycleHooks('webhook', 'webhook-execution', {
			id: 'w',
			name: 'w',
			active: true,
			nodes: [],
			connections: {},
			settings: {},
			createdAt: new Date(),
			updatedAt: new Date(),
		} as never);
		const additionalData = createAdditionalData(credentialsHelperFor(options), hooks);
		additionalData.httpRequest = {
			headers: req.headers,
			query: Object.fromEntries(url.searchParams),
			rawBody,
			body: safeJson(rawBody),
			method,
		} as never;
		additionalData.httpResponse = expressLike(res) as never;
		const webhookData: IWebhookData = {
			httpMethod: method as IWebhookData['httpMethod'],
			node: node.name,
			path: 'webhook',
			webhookDescription: description,
			workflowId: 'w',
			workflowExecuteAdditionalData: additionalData,
		};
		const context = new WebhookContext(
			workflow,
			workflowNode,
			additionalData,
			'webhook',
			webhookData,
			[],
			null,
		);
		if (options.log) {
			const log = options.log;
			const record = (level: string) => (message: string) => void log.push({ level, message });
			Object.defineProperty(context, 'logger', {
				value: {
					error: record('error'),
					warn: record('warn'),
					info: record('info'),
					debug: record('debug'),
				},
			});
		}
		const result = await nodeType.webhook!.call(context);
		if (!result.noWebhookResponse && !res.writableEnded) res.end();
		requests.push({
			method,
			status: res.statusCode,
			outputs: result.workflowData as INodeExecutionData[][] | undefined,
		});
	}

	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			handle(req, res, Buffer.concat(chunks)).catch((error: Error) => {
				requests.push({ method: req.method ?? '', status: 500 });
				if (!res.headersSent) res.statusCode = 500;
				res.end(String(error.message));
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	async function call(request: {
		method?: string;
		rawBody: Buffer;
		headers: Record<string, unknown>;
		query?: Record<string, string>;
	}): Promise<number> {
		let status = 200;
		const res = {
			statusCode: 200,
			headersSent: false,
			writableEnded: false,
			setHeader() {},
			end() {
				(this as { writableEnded: boolean }).writableEnded = true;
			},
		} as unknown as ServerResponse;
		const query = new URLSearchParams(request.query ?? {}).toString();
		await handle(
			{
				url: `/webhook${query ? `?${query}` : ''}`,
				method: request.method ?? 'POST',
				headers: request.headers as IncomingMessage['headers'],
			},
			res,
			request.rawBody,
		);
		status = res.statusCode;
		return status;
	}

	return {
		call,
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
		requests,
		items(output) {
			return requests.flatMap((request) =>
				(request.outputs?.[output] ?? []).map((item) => item.json),
			);
		},
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

function safeJson(raw: Buffer): unknown {
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		return {};
	}
}
