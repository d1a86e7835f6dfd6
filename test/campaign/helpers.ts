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
import {
	runBulkCampaign,
	type BulkCampaignOptions,
	type BulkCampaignReport,
	type RecipientRow,
} from '../../lib/campaign';
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

/** A resume_contact row for arPhone(i), with the template's two body values. */
export const resumeRow = (i: number, extra: Partial<RecipientRow> = {}): RecipientRow => ({
	phone: arPhone(i),
	values: { 'body.1': `Ana ${i}`, 'body.2': 'Sofía' },
	...extra,
});

/** A resume_contact campaign over the rig's sandbox and store; `overrides` win. */
export function resumeCampaign(
	rig: CampaignRig,
	rows: RecipientRow[],
	overrides: Partial<BulkCampaignOptions> = {},
): Promise<BulkCampaignReport> {
	return runBulkCampaign({
		campaignId: 'test-campaign',
		businessNumberId: PHONE_NUMBER_ID,
		store: rig.store,
		api: rig.client,
		template: {
			name: 'resume_contact',
			translations: translationsOf(rig.templates, 'resume_contact'),
			defaultLanguage: 'es',
		},
		total: rows.length,
		read: (index) => rows[index],
		...overrides,
	});
}
