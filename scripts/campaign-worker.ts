/**
 * A campaign sender as a separate process, for the fault test and the queue-mode benchmark:
 *
 *   node -r ts-node/register/transpile-only scripts/campaign-worker.ts <config.json>
 *
 * config: { sandboxUrl, storePath | redis: {host, port, password, keyPrefix}, rowsPath (JSON array of
 * RecipientRow) | generate: {count, offset} (resume_contact rows for +54 9 11 5xxx xxxx), campaignId, template,
 * defaultLanguage?, options (BulkCampaignOptions numbers and flags), sharedBucket?: true (RedisRateLimiter
 * keyed by the phone number), limiterRate? (benchmarks only: pace at this rate whatever the number's level),
 * measureMemory? (run with --expose-gc: heap after the rows exist vs peak and end of the run) }.
 * Prints "SENDING" when it starts sending, "MEMORY <json>" when measuring, and "DONE <summary JSON>" at the
 * end; stdout carries nothing else, so a parent can kill it at any moment and restart it.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import IORedis from 'ioredis';

import {
	runBulkCampaign,
	transientRetries,
	type BulkCampaignOptions,
	type RecipientRow,
} from '../lib/campaign';
import {
	CloudApiClient,
	authHeaders,
	type CloudApiCredentials,
	type HttpCaller,
} from '../lib/cloud-api';
import { LocalRateLimiter, RedisRateLimiter, type RateLimiter } from '../lib/delivery';
import { RedisStore } from '../lib/store/redis';
import { SqliteStore } from '../lib/store/sqlite';
import type { ConversationStore } from '../lib/store/types';

interface WorkerConfig {
	sandboxUrl: string;
	storePath?: string;
	redis?: { host: string; port: number; password?: string; keyPrefix: string };
	rowsPath?: string;
	generate?: { count: number; offset?: number };
	limiterRate?: number;
	measureMemory?: boolean;
	campaignId: string;
	template: string;
	defaultLanguage?: string;
	sharedBucket?: boolean;
	owner?: string;
	options?: Partial<
		Pick<
			BulkCampaignOptions,
			| 'guarantee'
			| 'quietPeriodMs'
			| 'staleClaimMs'
			| 'requestTimeoutMs'
			| 'rateCap'
			| 'resendRounds'
			| 'qualityCheckIntervalMs'
		>
	>;
}

async function main(): Promise<void> {
	const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as WorkerConfig;
	const rows = config.generate
		? generateRows(config.generate.count, config.generate.offset ?? 0)
		: (JSON.parse(readFileSync(config.rowsPath as string, 'utf8')) as RecipientRow[]);
	const credentials: CloudApiCredentials = {
		provider: 'sandbox',
		baseUrl: config.sandboxUrl,
		apiVersion: 'v24.0',
		accessToken: 'sandbox-token',
		phoneNumberId: '1000000001',
		wabaId: '2000000001',
	};
	const client = new CloudApiClient(nodeHttp(credentials, 3_000), {
		...credentials,
		secrets: [credentials.accessToken],
	});
	let store: ConversationStore;
	let redis: IORedis | undefined;
	if (config.redis) {
		store = await RedisStore.connect(config.redis);
		if (config.sharedBucket)
			redis = new IORedis({
				host: config.redis.host,
				port: config.redis.port,
				password: config.redis.password,
			});
	} else {
		store = new SqliteStore({ path: config.storePath as string });
	}
	const templates = await transientRetries(() => client.listTemplates(), 10);
	const translations = templates.filter((template) => template.name === config.template);
	let announced = false;
	const memory = config.measureMemory ? new MemoryProbe() : undefined;
	const sharedLimiter = (cap: number): RateLimiter =>
		new RedisRateLimiter({
			redis: redis as IORedis,
			key: credentials.phoneNumberId,
			prefix: config.redis?.keyPrefix,
			ratePerSecond: cap,
		});
	const limiter = config.limiterRate
		? () => new LocalRateLimiter({ ratePerSecond: config.limiterRate as number })
		: redis
			? sharedLimiter
			: undefined;
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
		limiter,
		...config.options,
	});
	if (memory)
		process.stdout.write(
			`MEMORY ${JSON.stringify(memory.finish(rows.length, report.outcomes.length))}\n`,
		);
	process.stdout.write(`DONE ${JSON.stringify(report.summary)}\n`);
	await store.close();
	redis?.disconnect();
}

/**
 * node:http with a keep-alive agent: a quarter of fetch's CPU per request, which matters when one process sends
 * 1,000 messages per second. (Inside n8n the node uses n8n's own HTTP helper.)
 */
function nodeHttp(credentials: CloudApiCredentials, defaultTimeoutMs: number): HttpCaller {
	const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
	const headers = authHeaders(credentials.provider, credentials.accessToken);
	return (request) =>
		new Promise((resolve, reject) => {
			const url = new URL(request.url);
			for (const [key, value] of Object.entries(request.qs ?? {}))
				url.searchParams.set(key, String(value));
			const body = request.body === undefined ? undefined : JSON.stringify(request.body);
			const req = http.request(
				url,
				{
					method: request.method,
					agent,
					headers: {
						...headers,
						...(body
							? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
							: {}),
					},
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('end', () => {
						const text = Buffer.concat(chunks).toString('utf8');
						let parsed: unknown = text;
						try {
							parsed = text === '' ? undefined : JSON.parse(text);
						} catch {
							// the client reports a non-JSON answer by its status
						}
						resolve({ status: res.statusCode ?? 0, body: parsed });
					});
					res.on('error', reject);
				},
			);
			req.setTimeout(request.timeoutMs ?? defaultTimeoutMs, () =>
				req.destroy(new Error('Request timeout')),
			);
			req.on('error', reject);
			req.end(body);
		});
}

function generateRows(count: number, offset: number): RecipientRow[] {
	return Array.from({ length: count }, (_, i) => ({
		phone: `+549115${String(offset + i).padStart(7, '0')}`,
		values: { 'body.1': `Ana ${offset + i}`, 'body.2': 'Sofía' },
	}));
}

/**
 * Live heap (after a full GC) once the input rows exist, sampled during the run, and at the end while the
 * report (one outcome per row, what the node turns into output items) is still held.
 */
class MemoryProbe {
	private readonly gc: () => void;
	private readonly base: number;
	private peak = 0;
	private readonly timer: NodeJS.Timeout;

	constructor() {
		const gc = (globalThis as { gc?: () => void }).gc;
		if (!gc) throw new Error('measureMemory needs node --expose-gc');
		this.gc = gc;
		this.base = this.live();
		this.timer = setInterval(() => (this.peak = Math.max(this.peak, this.live())), 1_000);
	}

	private live(): number {
		this.gc();
		const usage = process.memoryUsage();
		return usage.heapUsed + usage.arrayBuffers;
	}

	finish(rows: number, outcomes: number) {
		clearInterval(this.timer);
		const end = this.live();
		this.peak = Math.max(this.peak, end);
		return {
			rows,
			outcomes,
			baseBytes: this.base,
			peakBytes: this.peak,
			endBytes: end,
			peakPerRow: (this.peak - this.base) / rows,
			endPerRow: (end - this.base) / rows,
		};
	}
}

main().catch((error: Error) => {
	process.stderr.write(`campaign worker failed: ${error.stack ?? error.message}\n`);
	process.exit(1);
});
