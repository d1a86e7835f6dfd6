/**
 * The workflows the in-n8n benchmark imports, written as a user would build them in the editor: rows from a
 * Code node, `{{ $json.phone }}` / `{{ $json.name }}` expressions, n8n's own nodes as the peer.
 */
import type { WorkflowJson } from '../../n8n/rest';
import { FLOOR_TRIGGER_TYPE } from './harness';

const PKG = 'n8n-nodes-whatsapp-hsm';
const cloudApi = { whatsAppCloudApi: { id: '', name: '' } };

export const TRIGGER = 'WhatsApp HSM Trigger';
export const WEBHOOK = 'Webhook';
export const FLOOR = 'Floor Trigger';
export const START = 'Start';

/** Our trigger; `emit: []` records everything and starts nothing. */
export function triggerWorkflow(
	name: string,
	options: { emit: string[]; storeFile: string },
): WorkflowJson {
	return {
		name,
		nodes: [
			{
				name: TRIGGER,
				type: `${PKG}.whatsAppHsmTrigger`,
				typeVersion: Number(process.env.BENCH_TRIGGER_VERSION ?? 1.1),
				position: [0, 0],
				parameters: {
					emit: options.emit,
					storeFile: options.storeFile,
					options: { includeRaw: false },
				},
				credentials: cloudApi,
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

/** n8n's Webhook node, as a user would receive Meta's webhooks with it (an execution per POST). */
export function webhookNodeWorkflow(name: string, path: string): WorkflowJson {
	return {
		name,
		nodes: [
			{
				name: WEBHOOK,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

export function floorWorkflow(name: string): WorkflowJson {
	return {
		name,
		nodes: [
			{ name: FLOOR, type: FLOOR_TRIGGER_TYPE, typeVersion: 2, position: [0, 0], parameters: {} },
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

/** Webhook → Code (N rows with phone and name) → the node under test. */
function sendWorkflow(
	name: string,
	path: string,
	count: number,
	offset: number,
	sender: WorkflowJson['nodes'][number],
): WorkflowJson {
	const code = `const rows = [];\nfor (let i = 0; i < ${count}; i++) {\n  const n = ${offset} + i;\n  rows.push({ json: { phone: '+549115' + String(n).padStart(7, '0'), name: 'Ana ' + n } });\n}\nreturn rows;`;
	return {
		name,
		nodes: [
			{
				name: START,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			},
			{
				name: 'Recipients',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: { jsCode: code },
			},
			{ ...sender, position: [440, 0] },
		],
		connections: {
			[START]: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] },
			Recipients: { main: [[{ node: sender.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

export const CAMPAIGN = 'Bulk Campaign';
export const HTTP_REQUEST = 'HTTP Request';
export const NO_OP = 'No Operation';

export function campaignWorkflow(
	name: string,
	options: {
		path: string;
		count: number;
		offset: number;
		campaignName: string;
		storeFile: string;
		maxRate: number;
		output?: string;
	},
): WorkflowJson {
	return sendWorkflow(name, options.path, options.count, options.offset, {
		name: CAMPAIGN,
		type: `${PKG}.bulkCampaign`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			operation: 'send',
			// Dry Run is on by default for a new node (a click on Execute step must not bill every row).
			dryRun: false,
			campaignName: options.campaignName,
			phone: '={{ $json.phone }}',
			template: 'resume_contact',
			defaultLanguage: 'es',
			variables: {
				mappingMode: 'defineBelow',
				value: { 'body.1': '={{ $json.name }}', 'body.2': 'Sofía' },
			},
			storeFile: options.storeFile,
			options: {
				maxRate: options.maxRate,
				qualityCheckInterval: 600,
				...(options.output ? { output: options.output } : {}),
			},
		},
		credentials: cloudApi,
	});
}

/**
 * n8n's HTTP Request node sending the same template, Batching = `cap` items per 1,000 ms (what a user does to stay
 * under the number's throughput), errors kept as items so a 130429 does not stop the run.
 */
export function httpRequestWorkflow(
	name: string,
	options: { path: string; count: number; offset: number; messagesUrl: string; cap: number },
): WorkflowJson {
	const jsonBody =
		'={\n  "messaging_product": "whatsapp",\n  "to": "{{ $json.phone }}",\n  "type": "template",\n  "template": {\n    "name": "resume_contact",\n    "language": { "code": "es" },\n    "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "{{ $json.name }}" }, { "type": "text", "text": "Sofía" }] }]\n  }\n}';
	return sendWorkflow(name, options.path, options.count, options.offset, {
		name: HTTP_REQUEST,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		onError: 'continueRegularOutput',
		parameters: {
			method: 'POST',
			url: options.messagesUrl,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendBody: true,
			specifyBody: 'json',
			jsonBody,
			options: { batching: { batch: { batchSize: options.cap, batchInterval: 1000 } } },
		},
		credentials: { httpHeaderAuth: { id: '', name: '' } },
	});
}

export function noOpWorkflow(
	name: string,
	options: { path: string; count: number; offset: number },
): WorkflowJson {
	return sendWorkflow(name, options.path, options.count, options.offset, {
		name: NO_OP,
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	});
}
