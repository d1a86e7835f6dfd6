'use strict';
/**
 * The example workflows (examples/*.json) as the demo and the end-to-end tests use them: read, pointed at a
 * credential, optionally given unique webhook paths (several copies in one n8n), created and published through
 * n8n's public API, and their entry URLs worked out.
 */
const fs = require('node:fs');
const path = require('node:path');

const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');

/** The credential name the examples reference; the demo creates a credential with this name. */
const CREDENTIAL_NAME = 'WhatsApp Cloud API (sandbox)';

/** Files in examples/, keyed by their base name (appointment-reminder, whatsapp-inbox, …). */
function listExamples() {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ key: file.replace(/\.json$/, ''), file: path.join(EXAMPLES_DIR, file) }));
}

function readExample(key) {
	const file = path.join(EXAMPLES_DIR, `${key}.json`);
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (error) {
		throw new Error(`examples/${key}.json cannot be read as JSON: ${error.message}`);
	}
}

const isWebhookNode = (node) => node.type === 'n8n-nodes-base.webhook';
const isFormTrigger = (node) => node.type === 'n8n-nodes-base.formTrigger';

/**
 * A copy of a workflow whose webhook and form paths end with `-<suffix>` and whose nodes get new webhookIds,
 * so that the same example can be published twice in one n8n (production paths must be unique).
 */
function withUniquePaths(workflow, suffix) {
	const copy = structuredClone(workflow);
	for (const node of copy.nodes) {
		if ('webhookId' in node) delete node.webhookId;
		if (isWebhookNode(node) && typeof node.parameters.path === 'string')
			node.parameters.path = `${node.parameters.path}-${suffix}`;
		if (
			isFormTrigger(node) &&
			node.parameters.options &&
			typeof node.parameters.options.path === 'string'
		) {
			node.parameters.options.path = `${node.parameters.options.path}-${suffix}`;
		}
	}
	copy.name = `${copy.name} [${suffix}]`;
	return copy;
}

/** The Redis store credential the queue-mode demo and tests create (examples/*.json use the embedded store). */
const REDIS_STORE_CREDENTIAL_NAME = 'Redis (WhatsApp HSM Store)';
const STORE_CREDENTIAL_TYPE = 'whatsAppStoreRedisApi';

/**
 * A copy of a workflow whose nodes of this package keep their data in Redis (Store: Redis, with the given
 * Redis (WhatsApp HSM Store) credential): what queue mode needs, where the trigger runs on a webhook processor and
 * the sends on workers, so no process-local SQLite file can be shared.
 */
function withRedisStore(workflow, credential) {
	const copy = structuredClone(workflow);
	for (const node of copy.nodes) {
		if (!node.type.startsWith('n8n-nodes-whatsapp-hsm.') || !('store' in node.parameters)) continue;
		node.parameters.store = 'redis';
		delete node.parameters.storeFile;
		node.credentials = {
			...node.credentials,
			[STORE_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name },
		};
	}
	return copy;
}

/** The production URL of a node that starts the workflow over HTTP (our trigger, a Webhook, a Form Trigger). */
async function entryUrl(client, stored, nodeName) {
	const node = stored.nodes.find((candidate) => candidate.name === nodeName);
	if (!node) throw new Error(`workflow "${stored.name}" has no node named "${nodeName}"`);
	if (isFormTrigger(node)) {
		const formPath =
			node.parameters.path ||
			(node.parameters.options && node.parameters.options.path) ||
			node.webhookId;
		return `${client.baseUrl}/form/${String(formPath).replace(/^\//, '')}`;
	}
	return client.productionWebhookUrl(stored, nodeName);
}

/**
 * Creates and publishes the given examples (all by default) with the credential, in file order.
 * @param {import('../n8n/rest').N8nClient} client logged in, with an API key
 * @param {{ id: string, name: string }} credential the WhatsApp Cloud API credential
 * @param {{ keys?: string[], suffix?: string, redisStore?: { id: string, name: string } }} [options] suffix: unique
 *   paths (see withUniquePaths); redisStore: use the Redis store with this credential (see withRedisStore)
 * @returns {Promise<Record<string, object>>} stored workflows by example key
 */
async function importExamples(client, credential, options = {}) {
	const keys = options.keys || listExamples().map((example) => example.key);
	const stored = {};
	for (const key of keys) {
		let workflow = readExample(key);
		if (options.suffix) workflow = withUniquePaths(workflow, options.suffix);
		if (options.redisStore) workflow = withRedisStore(workflow, options.redisStore);
		try {
			const credentials = {
				whatsAppCloudApi: credential,
				...(options.redisStore ? { [STORE_CREDENTIAL_TYPE]: options.redisStore } : {}),
			};
			stored[key] = await client.importAndPublish(workflow, { credentials });
		} catch (error) {
			throw new Error(`examples/${key}.json did not import and publish: ${error.message}`);
		}
	}
	return stored;
}

/** The Data Table examples/weekly-promotion.json reads its audience from. */
const WEEKLY_AUDIENCE_TABLE = 'Weekly promotion audience';

/**
 * Creates the weekly promotion's Data Table through n8n's public API, with a sample audience in several zones (the
 * number's country decides where `timeZone` is empty). Returns the table's ID.
 * @param {import('../n8n/rest').N8nClient} client with an API key
 */
async function seedWeeklyAudience(
	client,
	rows = WEEKLY_SAMPLE_AUDIENCE,
	name = WEEKLY_AUDIENCE_TABLE,
) {
	const table = await client.api('POST', '/data-tables', {
		name,
		columns: ['phone', 'name', 'language', 'timeZone'].map((column) => ({
			name: column,
			type: 'string',
		})),
	});
	await client.api('POST', `/data-tables/${table.id}/rows`, { data: rows, returnType: 'count' });
	return table.id;
}

const WEEKLY_SAMPLE_AUDIENCE = [
	{ phone: '+54 9 11 5555 1234', name: 'Emilia', language: 'es', timeZone: '' },
	{ phone: '+34 612 345 678', name: 'Lucía', language: 'es', timeZone: 'Europe/Madrid' },
	{ phone: '+52 55 1234 5678', name: 'Diego', language: 'es', timeZone: 'America/Mexico_City' },
	{ phone: '+57 301 234 5678', name: 'Camila', language: 'es', timeZone: '' },
];

module.exports = {
	EXAMPLES_DIR,
	CREDENTIAL_NAME,
	REDIS_STORE_CREDENTIAL_NAME,
	WEEKLY_AUDIENCE_TABLE,
	listExamples,
	readExample,
	withUniquePaths,
	withRedisStore,
	entryUrl,
	importExamples,
	seedWeeklyAudience,
};
