'use strict';
/**
 * A small client for a running n8n 2.40: the editor's REST API (`/rest/*`, owner session cookie) and the public
 * API (`/api/v1/*`, `X-N8N-API-KEY`), plus the helpers tests and the demo share: create credentials, import and
 * publish a workflow, wait for its executions, and a trigger node's production webhook URL.
 */
const crypto = require('node:crypto');

class N8nRequestError extends Error {
	constructor(method, url, status, body) {
		super(
			`${method} ${url} answered ${status}: ${typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body).slice(0, 500)}`,
		);
		this.status = status;
		this.body = body;
	}
}

const FINISHED_STATUSES = new Set(['success', 'error', 'crashed', 'canceled']);

/** Tries of a GET that got no answer at all (connection reset or refused). */
const GET_ATTEMPTS = 3;

/** Public API's workflow create/update schema is strict: only these top-level fields are accepted. */
const WORKFLOW_FIELDS = ['name', 'nodes', 'connections', 'settings', 'staticData'];
/** …and only these settings. */
const WORKFLOW_SETTINGS = [
	'saveExecutionProgress',
	'saveManualExecutions',
	'saveDataErrorExecution',
	'saveDataSuccessExecution',
	'executionTimeout',
	'errorWorkflow',
	'timezone',
	'executionOrder',
	'callerPolicy',
	'callerIds',
	'timeSavedPerExecution',
	'availableInMCP',
];

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @param {string} baseUrl e.g. http://localhost:5678 */
function createRestClient(baseUrl) {
	let cookie;
	let apiKey;
	let nodeTypesCache;

	/**
	 * One request. A GET that fails before any answer (the socket n8n closed as idle just as it was reused, which
	 * happens on a loaded machine) is tried again; other methods are not, as they may have had an effect.
	 */
	async function send(method, path, { body, headers = {}, expect } = {}) {
		const url = `${baseUrl}${path}`;
		const attempts = method === 'GET' ? GET_ATTEMPTS : 1;
		let response;
		for (let attempt = 1; !response; attempt++) {
			try {
				response = await fetch(url, {
					method,
					headers: {
						accept: 'application/json',
						...(body !== undefined ? { 'content-type': 'application/json' } : {}),
						...headers,
					},
					body: body !== undefined ? JSON.stringify(body) : undefined,
					signal: AbortSignal.timeout(60_000),
				});
			} catch (error) {
				const cause = error.cause ? ` (${error.cause.code || error.cause.message})` : '';
				if (attempt >= attempts || error.name !== 'TypeError')
					throw new Error(`${method} ${url} failed: ${error.message}${cause}`, { cause: error });
				await sleep(200 * attempt);
			}
		}
		const text = await response.text();
		let parsed = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			// not JSON (an HTML error page): the status says enough
		}
		if (expect ? response.status !== expect : !response.ok)
			throw new N8nRequestError(method, path, response.status, parsed);
		return { response, body: parsed };
	}

	/** Editor REST API (`/rest/...`): needs login(); answers are `{ data }`, unwrapped here. */
	async function rest(method, path, body) {
		if (!cookie)
			throw new Error(`${method} /rest${path}: not logged in; call login(email, password) first`);
		const result = await send(method, `/rest${path}`, { body, headers: { cookie } });
		return result.body && typeof result.body === 'object' && 'data' in result.body
			? result.body.data
			: result.body;
	}

	/** Public API (`/api/v1/...`): needs an API key (createApiKey() or setApiKey()). */
	async function api(method, path, body) {
		if (!apiKey)
			throw new Error(`${method} /api/v1${path}: no public API key; call createApiKey() first`);
		return (await send(method, `/api/v1${path}`, { body, headers: { 'x-n8n-api-key': apiKey } }))
			.body;
	}

	async function login(email, password) {
		const { response } = await send('POST', '/rest/login', {
			body: { emailOrLdapLoginId: email, password },
		});
		const authCookie = response.headers
			.getSetCookie()
			.find((value) => value.startsWith('n8n-auth='));
		if (!authCookie) throw new Error('POST /rest/login succeeded but set no n8n-auth cookie');
		cookie = authCookie.split(';')[0];
	}

	/** Creates a public API key with every scope the owner may grant; returns the raw key (shown once by n8n). */
	async function createApiKey(label) {
		const scopes = await rest('GET', '/api-keys/scopes');
		const created = await rest('POST', '/api-keys', {
			label: `${label}-${crypto.randomBytes(4).toString('hex')}`,
			scopes,
			expiresAt: null,
		});
		apiKey = created.rawApiKey;
		if (!apiKey) throw new Error('POST /rest/api-keys returned no rawApiKey');
		return apiKey;
	}

	/** Node type descriptions n8n has loaded (the editor's `/types/nodes.json`, session cookie required). */
	async function nodeTypes() {
		if (!cookie)
			throw new Error('GET /types/nodes.json: not logged in; call login(email, password) first');
		nodeTypesCache = (await send('GET', '/types/nodes.json', { headers: { cookie } })).body;
		return nodeTypesCache;
	}

	/** Credential type descriptions n8n has loaded (`/types/credentials.json`). */
	async function credentialTypes() {
		if (!cookie)
			throw new Error(
				'GET /types/credentials.json: not logged in; call login(email, password) first',
			);
		return (await send('GET', '/types/credentials.json', { headers: { cookie } })).body;
	}

	async function nodeTypeDescription(type) {
		const all = nodeTypesCache || (await nodeTypes());
		return all.find((description) => description.name === type);
	}

	/** @returns {Promise<{id:string,name:string,type:string}>} */
	async function createCredential({ name, type, data }) {
		const created = await api('POST', '/credentials', { name, type, data });
		return { id: String(created.id), name: created.name, type: created.type };
	}

	/**
	 * Creates a workflow from exported JSON (the public API accepts only some fields, so the rest is dropped),
	 * giving every webhook-based node a webhookId (n8n's editor does this; the API does not) and pointing each
	 * node's credential slots at credentials by type: `credentials: { whatsAppCloudApi: { id, name } }`.
	 * @returns {Promise<object>} the stored workflow (with id, versionId, nodes)
	 */
	async function createWorkflow(workflow, { credentials = {}, name } = {}) {
		const body = {};
		for (const field of WORKFLOW_FIELDS)
			if (workflow[field] !== undefined) body[field] = workflow[field];
		if (name) body.name = name;
		body.settings = {};
		for (const key of WORKFLOW_SETTINGS)
			if (workflow.settings && workflow.settings[key] !== undefined)
				body.settings[key] = workflow.settings[key];
		body.nodes = [];
		for (const node of workflow.nodes) {
			const copy = { ...node };
			delete copy.id;
			const description = await nodeTypeDescription(copy.type);
			if (
				!copy.webhookId &&
				description &&
				Array.isArray(description.webhooks) &&
				description.webhooks.length > 0
			)
				copy.webhookId = crypto.randomUUID();
			if (copy.credentials) {
				copy.credentials = { ...copy.credentials };
				for (const slot of Object.keys(copy.credentials)) {
					if (credentials[slot])
						copy.credentials[slot] = { id: credentials[slot].id, name: credentials[slot].name };
				}
			}
			body.nodes.push(copy);
		}
		return api('POST', '/workflows', body);
	}

	/**
	 * Publishes (n8n 1.x: "activates") a workflow and waits until its triggers are live. In 2.40 publishing only
	 * records the new version in an outbox; a background worker then registers the webhooks and triggers, so a
	 * production webhook answers 404 for a moment after the publish call returns.
	 */
	async function publishWorkflow(id, { timeoutMs = 60_000 } = {}) {
		const published = await api('POST', `/workflows/${id}/publish`, {});
		await waitForPublication(id, { versionId: published.activeVersionId, timeoutMs });
		return published;
	}

	/** Polls `GET /rest/workflows/:id/publication-status` until the version is live; throws with the triggers' errors. */
	async function waitForPublication(id, { versionId, timeoutMs = 60_000, intervalMs = 200 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const state = await rest('GET', `/workflows/${id}/publication-status`);
			const settled = state.status !== 'in_progress' && !state.pendingVersionId;
			if (
				settled &&
				state.status === 'published' &&
				(!versionId || state.liveVersionId === versionId)
			)
				return state;
			if (settled && (state.status === 'failed' || state.status === 'partial')) {
				const errors = (state.triggers || [])
					.filter((trigger) => trigger.status === 'failed')
					.map((trigger) => `${trigger.nodeId}: ${trigger.errorMessage}`);
				throw new Error(
					`publishing workflow ${id} ${state.status}: ${errors.join('; ') || 'no trigger error given'}`,
				);
			}
			if (Date.now() > deadline)
				throw new Error(
					`workflow ${id} was not live within ${Math.round(timeoutMs / 1000)} s (publication status: ${JSON.stringify(state)})`,
				);
			await sleep(intervalMs);
		}
	}

	async function unpublishWorkflow(id) {
		return api('POST', `/workflows/${id}/unpublish`, {});
	}

	/** createWorkflow + publishWorkflow. */
	async function importAndPublish(workflow, options) {
		const created = await createWorkflow(workflow, options);
		await publishWorkflow(created.id);
		return created;
	}

	/** Executions of a workflow, newest first (`includeData` adds each node's run data). */
	async function listExecutions(workflowId, { includeData = false, limit = 50 } = {}) {
		const query = new URLSearchParams({
			workflowId: String(workflowId),
			includeData: String(includeData),
			limit: String(limit),
		});
		return (await api('GET', `/executions?${query}`)).data;
	}

	async function getExecution(id) {
		return api('GET', `/executions/${id}?includeData=true`);
	}

	/** Highest execution id of a workflow so far (0 when none): pass it as `afterId` to waitForExecution. */
	async function lastExecutionId(workflowId) {
		const [latest] = await listExecutions(workflowId, { limit: 1 });
		return latest ? Number(latest.id) : 0;
	}

	/**
	 * Waits until the workflow has a finished execution with an id above `afterId`, and returns it with its data.
	 * Execution data: `execution.data.resultData.runData[nodeName][0].data.main[output][i].json`.
	 */
	async function waitForExecution(
		workflowId,
		{ afterId = 0, timeoutMs = 60_000, intervalMs = 250 } = {},
	) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const executions = await listExecutions(workflowId);
			const finished = executions
				.filter(
					(execution) => Number(execution.id) > afterId && FINISHED_STATUSES.has(execution.status),
				)
				.sort((a, b) => Number(a.id) - Number(b.id));
			if (finished.length > 0) return getExecution(finished[0].id);
			if (Date.now() > deadline) {
				throw new Error(
					`no finished execution of workflow ${workflowId} after id ${afterId} within ${Math.round(timeoutMs / 1000)} s (seen: ${executions.map((e) => `${e.id}:${e.status}`).join(', ') || 'none'})`,
				);
			}
			await sleep(intervalMs);
		}
	}

	/**
	 * Production URL of a webhook-based node in a stored (published) workflow. For n8n's Webhook / Form Trigger
	 * nodes the `path` parameter is the full path; for other trigger nodes it is `<webhookId>/<webhook path>`,
	 * the webhook path coming from the node type's description (pass `webhookPath` when that is an expression).
	 */
	async function productionWebhookUrl(
		workflow,
		nodeName,
		{ webhookName = 'default', webhookPath } = {},
	) {
		const node = workflow.nodes.find((candidate) => candidate.name === nodeName);
		if (!node) throw new Error(`workflow ${workflow.id} has no node named "${nodeName}"`);
		const description = await nodeTypeDescription(node.type);
		const webhook =
			description &&
			(description.webhooks || []).find((candidate) => candidate.name === webhookName);
		if (!webhook) throw new Error(`node type ${node.type} has no webhook named "${webhookName}"`);
		let path = webhookPath;
		if (path === undefined) {
			if (typeof webhook.path !== 'string' || webhook.path.startsWith('=')) {
				path =
					node.parameters && typeof node.parameters.path === 'string'
						? node.parameters.path
						: undefined;
			} else {
				path = webhook.path;
			}
		}
		if (path === undefined)
			throw new Error(
				`cannot work out the webhook path of "${nodeName}" (${node.type}); pass webhookPath`,
			);
		path = path.replace(/^\//, '');
		const isFullPath =
			webhook.isFullPath === true ||
			(typeof webhook.isFullPath === 'string' && webhook.isFullPath.startsWith('='));
		if (isFullPath && !path.startsWith(':') && !path.includes('/:'))
			return `${baseUrl}/webhook/${path || node.webhookId}`;
		if (!node.webhookId)
			throw new Error(
				`node "${nodeName}" has no webhookId; create the workflow with createWorkflow()`,
			);
		return `${baseUrl}/webhook/${node.webhookId}/${path}`;
	}

	return {
		baseUrl,
		login,
		createApiKey,
		setApiKey: (key) => (apiKey = key),
		rest,
		api,
		nodeTypes,
		credentialTypes,
		createCredential,
		createWorkflow,
		publishWorkflow,
		waitForPublication,
		unpublishWorkflow,
		importAndPublish,
		listExecutions,
		getExecution,
		lastExecutionId,
		waitForExecution,
		productionWebhookUrl,
	};
}

module.exports = { createRestClient, N8nRequestError };
