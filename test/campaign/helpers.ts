/** Sandbox + real SQLite store + Cloud API client over loopback, for the campaign tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	CloudApiClient,
	fetchHttp,
	type CloudApiCredentials,
	type MessageTemplate,
} from '../../lib/cloud-api';
import { SqliteStore } from '../../lib/store/sqlite';
import {
	startSandbox,
	SANDBOX_DEFAULTS,
	type RunningSandbox,
	type SandboxOptions,
} from '../../sandbox';

export const PHONE_NUMBER_ID = SANDBOX_DEFAULTS.phoneNumberId;

/** Valid Argentine mobile numbers, E.164: +54 9 11 5000 0000 + i */
export const arPhone = (i: number) => `+549115${String(i).padStart(7, '0')}`;
export const arWaId = (i: number) => arPhone(i).slice(1);

export interface CampaignRig {
	sandbox: RunningSandbox;
	store: SqliteStore;
	credentials: CloudApiCredentials;
	client: CloudApiClient;
	templates: MessageTemplate[];
	dir: string;
	storePath: string;
	close(): Promise<void>;
}

export async function startRig(options: SandboxOptions = {}): Promise<CampaignRig> {
	const sandbox = await startSandbox({ statusDelayMs: 20, ...options });
	const dir = mkdtempSync(join(tmpdir(), 'campaign-'));
	const storePath = join(dir, 'store.sqlite');
	const store = new SqliteStore({ path: storePath });
	const credentials: CloudApiCredentials = {
		provider: 'sandbox',
		baseUrl: sandbox.url,
		apiVersion: 'v24.0',
		accessToken: SANDBOX_DEFAULTS.accessToken,
		phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
		wabaId: SANDBOX_DEFAULTS.wabaId,
		appSecret: SANDBOX_DEFAULTS.appSecret,
	};
	const client = new CloudApiClient(fetchHttp(credentials), {
		...credentials,
		secrets: [credentials.accessToken],
	});
	const templates = await client.listTemplates();
	return {
		sandbox,
		store,
		credentials,
		client,
		templates,
		dir,
		storePath,
		async close() {
			await sandbox.stop();
			await store.close();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

export function translationsOf(templates: MessageTemplate[], name: string): MessageTemplate[] {
	return templates.filter((template) => template.name === name);
}
