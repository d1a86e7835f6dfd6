/**
 * How every node of the package reaches the conversation store.
 *
 * - `storeProperties`: the "Conversation Store" parameter block (Embedded / Redis, and the embedded file under
 *   Conversation Store Options) to spread at the end of a node's properties; `storeCredentialTest` the `methods.credentialTest` entry that lets the editor's "Test"
 *   connect to Redis.
 * - The Redis credential entry itself is written out in each node's `credentials`, the same five lines
 *   (`name: STORE_CREDENTIAL`, `testedBy: STORE_CREDENTIAL_TEST`, shown for `store: ['redis']`): n8n's lint
 *   (eslint-plugin-n8n-nodes-base, node-class-description-credentials-name-unsuffixed) crashes with a TypeError
 *   on anything but object literals there, a shared constant or a spread alike.
 * - `openStore(ctx)`: the store the node's parameters name, shared process-wide: one SQLite handle per file and
 *   one ioredis client per credential, so executions do not open connections of their own. Do not close it.
 */
import { createHash } from 'node:crypto';
import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type IHookFunctions,
	type ILoadOptionsFunctions,
	type INodeCredentialTestResult,
	type INodeProperties,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { fieldError } from './error-item';
import { RedisStore, DEFAULT_KEY_PREFIX, type RedisStoreOptions } from '../../lib/store/redis';
import { resolveStorePath } from '../../lib/store/paths';
import { SqliteStore } from '../../lib/store/sqlite';
import type { ConversationStore } from '../../lib/store/types';

export const STORE_CREDENTIAL = 'whatsAppStoreRedisApi';
export const STORE_CREDENTIAL_TEST = 'whatsAppStoreRedisConnectionTest';

/**
 * Marks where n8n's editor shows the credential pickers. Without it the editor puts them after the last parameter a
 * credential's displayOptions depend on (Store, near the end), below Options.
 */
export const credentialSlot: INodeProperties = {
	displayName: 'Credential',
	name: 'credential',
	type: 'credentials',
	default: '',
};

/** The option of both sending nodes that overrides the opt-outs the trigger recorded in the store. */
export const sendToOptedOutOption: INodeProperties = {
	displayName: 'Send to Opted-Out Contacts',
	name: 'sendToOptedOut',
	type: 'boolean',
	default: false,
	description:
		'Whether to ignore opt-outs recorded by the WhatsApp HSM Trigger. Authentication templates are always sent.',
};

export const storeProperties: INodeProperties[] = [
	{
		displayName: 'Conversation Store',
		name: 'store',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Embedded (SQLite File)',
				value: 'embedded',
				description:
					'A file in the n8n folder, no set-up. For one n8n (or several processes sharing its disk).',
			},
			{
				name: 'Redis',
				value: 'redis',
				description:
					'For queue mode and several n8n instances. Needs a Redis (WhatsApp HSM Store) credential.',
			},
		],
		default: 'embedded',
		description:
			"Where contacts' last messages, opt-outs, recontacts and campaign results are kept. Every node of this package that must see the same data needs the same store.",
	},
	{
		displayName: 'Conversation Store Options',
		name: 'storeOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { store: ['embedded'] } },
		options: [
			{
				displayName: 'Store File',
				name: 'file',
				type: 'string',
				default: '',
				placeholder: '~/.n8n/whatsapp-hsm-store.sqlite',
				description:
					'Leave empty for whatsapp-hsm-store.sqlite in the n8n folder (or the WHATSAPP_HSM_STORE_PATH environment variable). A relative path is taken inside the n8n folder.',
			},
		],
	},
	// Store File was a parameter of its own before Conversation Store Options: kept (hidden) so that a workflow
	// saved with one keeps its file; the option wins when both are set.
	{
		displayName: 'Store File (Before Conversation Store Options)',
		name: 'storeFile',
		type: 'hidden',
		default: '',
	},
];

type Context = IExecuteFunctions | IWebhookFunctions | IHookFunctions | ILoadOptionsFunctions;

const CACHE_KEY = Symbol.for('n8n-nodes-whatsapp-hsm.stores');

interface SharedStores {
	stores: Map<string, Promise<ConversationStore>>;
	/** Opened SQLite stores, closed synchronously at process exit */
	sqlite: Set<SqliteStore>;
	exitHook: boolean;
}

/** On globalThis, so two copies of this module (a re-installed package) still share one handle per file. */
function shared(): SharedStores {
	const holder = globalThis as unknown as Record<symbol, SharedStores | undefined>;
	let value = holder[CACHE_KEY];
	if (!value) {
		value = { stores: new Map(), sqlite: new Set(), exitHook: false };
		holder[CACHE_KEY] = value;
	}
	return value;
}

export function redisOptionsFrom(credentials: ICredentialDataDecryptedObject): RedisStoreOptions {
	return {
		host: String(credentials.host ?? '').trim(),
		port: Number(credentials.port ?? 6379),
		user: credentials.user ? String(credentials.user) : undefined,
		password: credentials.password ? String(credentials.password) : undefined,
		db: Number(credentials.database ?? 0) || 0,
		tls: credentials.tls === true,
		keyPrefix:
			credentials.prefix === undefined || credentials.prefix === null
				? DEFAULT_KEY_PREFIX
				: String(credentials.prefix),
	};
}

function cached(key: string, open: () => Promise<ConversationStore>): Promise<ConversationStore> {
	const { stores } = shared();
	let store = stores.get(key);
	if (!store) {
		store = open();
		stores.set(key, store);
		// A failed open is not remembered: the next execution tries again (Redis back up, folder fixed...).
		store.catch(() => {
			if (stores.get(key) === store) stores.delete(key);
		});
	}
	return store;
}

function registerExitHook(): void {
	const state = shared();
	if (state.exitHook) return;
	state.exitHook = true;
	// SQLite checkpoints its WAL on close; SqliteStore.close runs synchronously, so it can run at exit.
	process.once('exit', () => {
		for (const store of state.sqlite) void store.close();
	});
}

/**
 * The store named by the node's "Store" parameters, opened once per process. `reader.credentials` replaces
 * ctx.getCredentials for the Redis credential (the trigger's short-lived cache).
 */
export async function openStore(
	ctx: Context,
	itemIndex = 0,
	reader: { credentials?: (type: string) => Promise<ICredentialDataDecryptedObject> } = {},
): Promise<ConversationStore> {
	// Execute contexts take (name, itemIndex, fallback); webhook, hook and load-options contexts (name, fallback).
	const perItem = 'getInputData' in ctx;
	const getParameter = (name: string, index: number, fallback: unknown): unknown =>
		perItem
			? (ctx as IExecuteFunctions).getNodeParameter(name, index, fallback)
			: (ctx as IWebhookFunctions).getNodeParameter(name, fallback);
	const kind = String(getParameter('store', itemIndex, 'embedded'));
	if (kind !== 'redis' && kind !== 'embedded')
		throw fieldError(
			ctx.getNode(),
			'Store',
			`Store "${kind}" is unknown: choose Embedded or Redis`,
			{
				itemIndex,
			},
		);
	try {
		if (kind === 'redis') {
			const credentials = await (reader.credentials
				? reader.credentials(STORE_CREDENTIAL)
				: ctx.getCredentials(STORE_CREDENTIAL));
			const options = redisOptionsFrom(credentials);
			const fingerprint = createHash('sha256').update(JSON.stringify(options)).digest('hex');
			return await cached(`redis:${fingerprint}`, () => RedisStore.connect(options));
		}
		const file =
			String(getParameter('storeOptions.file', itemIndex, '') ?? '').trim() ||
			String(getParameter('storeFile', itemIndex, '') ?? '');
		const path = resolveStorePath(file);
		registerExitHook();
		return await cached(`sqlite:${path}`, async () => {
			const store = new SqliteStore({ path });
			shared().sqlite.add(store);
			return store;
		});
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
			itemIndex,
			description:
				kind === 'redis'
					? 'Open the Redis (WhatsApp HSM Store) credential and check it with "Test".'
					: 'Check Conversation Store Options › Store File or the WHATSAPP_HSM_STORE_PATH variable.',
		});
	}
}

/** Closes every shared store (tests; n8n itself never needs it). */
export async function closeSharedStores(): Promise<void> {
	const { stores, sqlite } = shared();
	const all = [...stores.values()];
	stores.clear();
	sqlite.clear();
	await Promise.all(
		all.map((store) => store.then((opened) => opened.close()).catch(() => undefined)),
	);
}

/** `methods.credentialTest[STORE_CREDENTIAL_TEST]`: connects with the credential and says what is wrong, without the password. */
export async function storeCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const store = await RedisStore.connect({
			...redisOptionsFrom(credential.data ?? {}),
			connectTimeoutMs: 5000,
		});
		await store.close();
		return { status: 'OK', message: 'Connected to Redis' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
