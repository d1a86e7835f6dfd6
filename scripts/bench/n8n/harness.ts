/**
 * What the in-n8n benchmark (scripts/bench/n8n.bench.ts) and its profiling runs need around one real n8n:
 * the pinned n8n booted by the e2e runtime (this package linked as users install it) plus a test-only
 * "floor" community trigger, n8n's CPU time and memory read from /proc, and a signed webhook load generator.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SANDBOX_DEFAULTS, type RunningSandbox } from '../../../sandbox';
import type { StoredCredential } from '../../n8n/rest';
import { startN8n, type N8nInstance } from '../../n8n/runtime';

/** Linux clock ticks per second for /proc/<pid>/stat (getconf CLK_TCK; 100 on every usual kernel). */
const CLOCK_TICKS = 100;

export const FLOOR_PACKAGE = 'n8n-nodes-bench-floor';
export const FLOOR_TRIGGER_TYPE = `${FLOOR_PACKAGE}.floorTrigger`;

/**
 * The floor: a community trigger that answers 200 and starts nothing. What n8n itself costs per webhook POST
 * (routing, the workflow load, the webhook context) with no node work at all.
 */
const FLOOR_NODE_SOURCE = `'use strict';
class FloorTrigger {
	constructor() {
		this.description = {
			displayName: 'Bench Floor Trigger',
			name: 'floorTrigger',
			group: ['trigger'],
			// Above 1: n8n parses the body without evaluating the Webhook-v1 binaryData expression.
			version: 2,
			description: 'Test only: answers 200 and starts nothing',
			defaults: { name: 'Bench Floor Trigger' },
			inputs: [],
			outputs: ['main'],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
			properties: [],
		};
	}
	async webhook() {
		this.getResponseObject().status(200).end();
		return { noWebhookResponse: true };
	}
}
module.exports = { FloorTrigger };
`;

function writeFloorPackage(userFolder: string): void {
	const dir = join(userFolder, '.n8n', 'nodes', 'node_modules', FLOOR_PACKAGE);
	mkdirSync(join(dir, 'dist'), { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify({
			name: FLOOR_PACKAGE,
			version: '1.0.0',
			main: 'index.js',
			keywords: ['n8n-community-node-package'],
			n8n: { n8nNodesApiVersion: 1, nodes: ['dist/FloorTrigger.node.js'], credentials: [] },
		}),
	);
	writeFileSync(join(dir, 'dist', 'FloorTrigger.node.js'), FLOOR_NODE_SOURCE);
}

export interface BenchN8n {
	instance: N8nInstance;
	/** n8n's process group (n8n and its task runner). */
	cpuMs(): number;
	/** Resident memory of n8n's main process, bytes. */
	rssBytes(): number;
	stop(): Promise<void>;
}

/** Boots the pinned n8n with the package linked and the floor trigger installed next to it. */
export async function startBenchN8n(
	options: { env?: Record<string, string>; log?: (line: string) => void } = {},
): Promise<BenchN8n> {
	const userFolder = mkdtempSync(join(tmpdir(), 'n8n-bench-'));
	writeFloorPackage(userFolder);
	const instance = await startN8n({
		userFolder,
		log: options.log,
		env: {
			// Executions are saved as users have them by default; the bench's own log noise is kept low.
			N8N_LOG_LEVEL: 'warn',
			N8N_PAYLOAD_SIZE_MAX: '512',
			...options.env,
		},
	});
	return {
		instance,
		cpuMs: () => groupCpuMs(instance.pid),
		rssBytes: () => rssBytes(instance.pid),
		async stop() {
			await instance.stop();
			if (!process.env.N8N_E2E_KEEP_USER_FOLDER)
				rmSync(userFolder, { recursive: true, force: true });
		},
	};
}

/** The WhatsApp HSM Cloud API credential pointing at the sandbox, in that n8n. */
export function createSandboxCredential(
	n8n: BenchN8n,
	sandbox: RunningSandbox,
): Promise<StoredCredential> {
	const { accessToken, phoneNumberId, wabaId, appSecret } = SANDBOX_DEFAULTS;
	return n8n.instance.rest.createCredential({
		name: 'bench sandbox',
		type: 'whatsAppCloudApi',
		data: {
			provider: 'sandbox',
			baseUrl: sandbox.url,
			apiVersion: 'v24.0',
			accessToken,
			phoneNumberId,
			wabaId,
			appSecret,
		},
	});
}

/** utime + stime of every live process in the group, in ms (n8n's main process and its task runner). */
export function groupCpuMs(pgid: number): number {
	let ticks = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue;
		}
		// The command name may hold spaces and parentheses: fields are counted after its last ')'.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(fields[2]) !== pgid) continue;
		ticks += Number(fields[11]) + Number(fields[12]);
	}
	return (ticks * 1000) / CLOCK_TICKS;
}

export function rssBytes(pid: number): number {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

export const signature = (body: Buffer, secret: string) =>
	`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export interface LoadResult {
	posts: number;
	ok: number;
	statuses: Record<number, number>;
	seconds: number;
	postsPerSecond: number;
	p50Ms: number;
	p99Ms: number;
	cpuMsPerPost: number;
	/** Every POST's answer time, ms, sorted */
	latencies: number[];
}

export const percentile = (sorted: number[], p: number) =>
	sorted.length === 0
		? 0
		: sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/**
 * POSTs `bodies` to `url` with `concurrency` requests in flight (keep-alive, as Meta's senders do), signing each
 * with `secret`; n8n's CPU (process group) is read before and after.
 */
export async function postLoad(options: {
	url: string;
	bodies: Buffer[];
	secret: string;
	concurrency: number;
	cpuMs: () => number;
	headers?: Record<string, string>;
}): Promise<LoadResult> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
	const latencies: number[] = [];
	const statuses: Record<number, number> = {};
	let next = 0;
	const cpuBefore = options.cpuMs();
	const started = performance.now();
	const post = (body: Buffer) =>
		new Promise<number>((resolve) => {
			const request = http.request(
				options.url,
				{
					method: 'POST',
					agent,
					headers: {
						'content-type': 'application/json',
						'content-length': body.length,
						'x-hub-signature-256': signature(body, options.secret),
						...options.headers,
					},
				},
				(response) => {
					response.resume();
					response.on('end', () => resolve(response.statusCode ?? 0));
				},
			);
			request.on('error', () => resolve(0));
			request.end(body);
		});
	await Promise.all(
		Array.from({ length: options.concurrency }, async () => {
			while (next < options.bodies.length) {
				const body = options.bodies[next++];
				const t0 = performance.now();
				const status = await post(body);
				latencies.push(performance.now() - t0);
				statuses[status] = (statuses[status] ?? 0) + 1;
			}
		}),
	);
	const seconds = (performance.now() - started) / 1000;
	const cpu = options.cpuMs() - cpuBefore;
	agent.destroy();
	return loadResult(latencies, statuses, seconds, cpu);
}

/** The figures of a load from its answer times, answer statuses, duration and n8n's CPU over it. */
function loadResult(
	latencies: number[],
	statuses: Record<number, number>,
	seconds: number,
	cpuMs: number,
): LoadResult {
	latencies.sort((a, b) => a - b);
	const posts = latencies.length;
	return {
		posts,
		ok: statuses[200] ?? 0,
		statuses,
		seconds,
		postsPerSecond: posts / seconds,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		cpuMsPerPost: cpuMs / posts,
		latencies,
	};
}

/** One LoadResult from several loads of one variant (interleaved rounds): sums, and percentiles over all POSTs. */
export function mergeLoads(parts: LoadResult[], cpuMs: number): LoadResult {
	const statuses: Record<number, number> = {};
	for (const part of parts)
		for (const [status, count] of Object.entries(part.statuses))
			statuses[Number(status)] = (statuses[Number(status)] ?? 0) + count;
	return loadResult(
		parts.flatMap((part) => part.latencies),
		statuses,
		parts.reduce((sum, part) => sum + part.seconds, 0),
		cpuMs,
	);
}

/** Meta's shape for one status change (one POST each, Meta's usual delivery). */
export function statusBody(options: {
	wabaId: string;
	phoneNumberId: string;
	wamid: string;
	recipient: string;
	status: string;
}): Buffer {
	return Buffer.from(
		JSON.stringify({
			object: 'whatsapp_business_account',
			entry: [
				{
					id: options.wabaId,
					changes: [
						{
							field: 'messages',
							value: {
								messaging_product: 'whatsapp',
								metadata: {
									display_phone_number: '541140001000',
									phone_number_id: options.phoneNumberId,
								},
								statuses: [
									{
										id: options.wamid,
										status: options.status,
										timestamp: String(Math.floor(Date.now() / 1000)),
										recipient_id: options.recipient,
										pricing: {
											billable: true,
											pricing_model: 'PMP',
											category: 'utility',
											type: 'regular',
										},
									},
								],
							},
						},
					],
				},
			],
		}),
	);
}

/** Meta's shape for one inbound text message. */
export function messageBody(options: {
	wabaId: string;
	phoneNumberId: string;
	wamid: string;
	from: string;
	text: string;
}): Buffer {
	return Buffer.from(
		JSON.stringify({
			object: 'whatsapp_business_account',
			entry: [
				{
					id: options.wabaId,
					changes: [
						{
							field: 'messages',
							value: {
								messaging_product: 'whatsapp',
								metadata: {
									display_phone_number: '541140001000',
									phone_number_id: options.phoneNumberId,
								},
								contacts: [{ profile: { name: 'Bench' }, wa_id: options.from }],
								messages: [
									{
										from: options.from,
										id: options.wamid,
										timestamp: String(Math.floor(Date.now() / 1000)),
										type: 'text',
										text: { body: options.text },
									},
								],
							},
						},
					],
				},
			],
		}),
	);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
