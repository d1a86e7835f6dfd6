/**
 * A campaign sender as a separate process, for the fault test and the queue-mode benchmark:
 *
 *   node -r ts-node/register/transpile-only scripts/campaign-worker.ts <config.json>
 *
 * config: { sandboxUrl, storePath | redis: {host, port, password, keyPrefix}, rowsPath (JSON array of
 * RecipientRow), campaignId, template, defaultLanguage?, options (BulkCampaignOptions numbers and flags),
 * sharedBucket?: true (RedisRateLimiter keyed by the phone number) }.
 * Prints one line "SENDING" when it starts sending and one line "DONE <summary JSON>" at the end; stdout
 * carries nothing else, so a parent can kill it at any moment and restart it.
 */
import { readFileSync } from 'node:fs';
import IORedis from 'ioredis';

import { runBulkCampaign, transientRetries, type BulkCampaignOptions, type RecipientRow } from '../lib/campaign';
import { CloudApiClient, fetchHttp, type CloudApiCredentials } from '../lib/cloud-api';
import { RedisRateLimiter } from '../lib/delivery';
import { RedisStore } from '../lib/store/redis';
import { SqliteStore } from '../lib/store/sqlite';
import type { ConversationStore } from '../lib/store/types';

interface WorkerConfig {
	sandboxUrl: string;
	storePath?: string;
	redis?: { host: string; port: number; password?: string; keyPrefix: string };
	rowsPath: string;
	campaignId: string;
	template: string;
	defaultLanguage?: string;
	sharedBucket?: boolean;
	owner?: string;
	options?: Partial<Pick<BulkCampaignOptions, 'guarantee' | 'quietPeriodMs' | 'staleClaimMs' | 'requestTimeoutMs' | 'rateCap' | 'resendRounds' | 'qualityCheckIntervalMs'>>;
}

async function main(): Promise<void> {
	const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as WorkerConfig;
	const rows = JSON.parse(readFileSync(config.rowsPath, 'utf8')) as RecipientRow[];
	const credentials: CloudApiCredentials = {
		provider: 'sandbox',
		baseUrl: config.sandboxUrl,
		apiVersion: 'v24.0',
		accessToken: 'sandbox-token',
		phoneNumberId: '1000000001',
		wabaId: '2000000001',
	};
	const client = new CloudApiClient(fetchHttp(credentials, { timeoutMs: 3_000 }), { ...credentials, secrets: [credentials.accessToken] });
	let store: ConversationStore;
	let redis: IORedis | undefined;
	if (config.redis) {
		store = await RedisStore.connect(config.redis);
		if (config.sharedBucket) redis = new IORedis({ host: config.redis.host, port: config.redis.port, password: config.redis.password });
	} else {
		store = new SqliteStore({ path: config.storePath as string });
	}
	const templates = await transientRetries(() => client.listTemplates(), 10);
	const translations = templates.filter((template) => template.name === config.template);
	let announced = false;
	const report = await runBulkCampaign({
		campaignId: config.campaignId,
		businessNumberId: credentials.phoneNumberId,
		store,
		api: {
			send: (payload, options) => {
				if (!announced) {
					announced = true;
					process.stdout.write('SENDING\n');
				}
				return client.send(payload, options);
			},
			getPhoneNumberInfo: (fields) => client.getPhoneNumberInfo(fields),
		},
		template: { name: config.template, translations, defaultLanguage: config.defaultLanguage },
		total: rows.length,
		read: (index) => rows[index],
		owner: config.owner,
		limiter: redis ? (cap) => new RedisRateLimiter({ redis: redis as IORedis, key: credentials.phoneNumberId, prefix: config.redis?.keyPrefix, ratePerSecond: cap }) : undefined,
		...config.options,
	});
	process.stdout.write(`DONE ${JSON.stringify(report.summary)}\n`);
	await store.close();
	redis?.disconnect();
}

main().catch((error: Error) => {
	process.stderr.write(`campaign worker failed: ${error.stack ?? error.message}\n`);
	process.exit(1);
});
