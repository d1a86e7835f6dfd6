/**
 * One real n8n 2.40.7 for the end-to-end test files.
 *
 * When jest's globalSetup has started a shared instance (see ./shared-n8n.ts), every e2e file uses it through the
 * N8N_E2E_* variables; otherwise (one e2e file run on its own, or globalSetup not wired) a file boots its own
 * and stops it afterwards. Either way a missing runtime fails the tests loudly with the command that fixes it.
 *
 * The shared instance keeps everything the files create, so each test uses its own names and webhook paths.
 */
import path from 'node:path';

import { createRestClient, type N8nClient } from '../../scripts/n8n/rest';
import {
	isInstalled,
	paths,
	readLogTail,
	runN8nCli,
	startN8n,
	type CliResult,
	type N8nInstance,
} from '../../scripts/n8n/runtime';

/** n8n boots in 10-20 s on an idle machine; a loaded 2-core CI box can take several times that. */
export const E2E_TIMEOUT_MS = 240_000;

/** Variables through which globalSetup hands the shared instance to the test files. */
export const SHARED_N8N_ENV = {
	url: 'N8N_E2E_URL',
	userFolder: 'N8N_E2E_USER_FOLDER',
	ownerEmail: 'N8N_E2E_OWNER_EMAIL',
	ownerPassword: 'N8N_E2E_OWNER_PASSWORD',
	apiKey: 'N8N_E2E_API_KEY',
} as const;

export interface E2eN8n {
	url: string;
	userFolder: string;
	owner: { email: string; password: string };
	/** Logged in as the owner, with a public API key. */
	client: N8nClient;
	/** `n8n <args>` on the same database. */
	cli(args: string[]): Promise<CliResult>;
	/** n8n's last log lines, for assertion messages. */
	logTail(lines?: number): string;
	/** True when this instance is shared with the other e2e files (started by globalSetup). */
	shared: boolean;
	stop(): Promise<void>;
}

export function runtimeMissingMessage(): string {
	return `the pinned n8n ${paths.N8N_VERSION} runtime is not installed (${paths.CACHE_DIR}): run \`npm run n8n:install\` once (about 7 minutes, 2.8 GB), then \`npm run build\``;
}

async function fromSharedEnv(): Promise<E2eN8n | undefined> {
	const url = process.env[SHARED_N8N_ENV.url];
	if (!url) return undefined;
	const userFolder = process.env[SHARED_N8N_ENV.userFolder] ?? '';
	const owner = {
		email: process.env[SHARED_N8N_ENV.ownerEmail] ?? '',
		password: process.env[SHARED_N8N_ENV.ownerPassword] ?? '',
	};
	const client = createRestClient(url);
	await client.login(owner.email, owner.password);
	client.setApiKey(process.env[SHARED_N8N_ENV.apiKey] ?? '');
	return {
		url,
		userFolder,
		owner,
		client,
		cli: (args) => runN8nCli(args, { userFolder }),
		logTail: (lines) => readLogTail(path.join(userFolder, 'n8n.log'), lines),
		shared: true,
		stop: async () => {},
	};
}

function fromInstance(instance: N8nInstance): E2eN8n {
	return {
		url: instance.url,
		userFolder: instance.userFolder,
		owner: instance.owner,
		client: instance.rest,
		cli: (args) => instance.cli(args),
		logTail: (lines) => instance.logTail(lines),
		shared: false,
		stop: () => instance.stop(),
	};
}

/** The shared instance when there is one, else a new one owned by the caller (who must stop() it). */
export async function acquireN8n(): Promise<E2eN8n> {
	const shared = await fromSharedEnv();
	if (shared) return shared;
	if (!isInstalled()) throw new Error(runtimeMissingMessage());
	return fromInstance(await startN8n());
}

/**
 * Registers beforeAll / afterAll for the calling test file and returns an accessor for its n8n.
 * @example const n8n = useN8n(); test('…', async () => { await n8n().client.nodeTypes(); });
 */
export function useN8n(): () => E2eN8n {
	let current: E2eN8n | undefined;
	beforeAll(async () => {
		current = await acquireN8n();
	}, E2E_TIMEOUT_MS);
	afterAll(async () => {
		await current?.stop();
	}, E2E_TIMEOUT_MS);
	return () => {
		if (!current)
			throw new Error(
				'n8n is not running for this file: its beforeAll failed (see the first error of this file)',
			);
		return current;
	};
}
