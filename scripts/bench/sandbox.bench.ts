/**
 * The sandbox's own ceiling: template sends per second it answers on loopback, with API latency simulated by
 * timers, measured side by side with a bare node:http server (same client, same connections, same run).
 * Target: ≥ 5,000 sends/s, so the sandbox is never the bottleneck of a 1,000 mps campaign benchmark.
 * The load generator runs in a worker thread, so client and server each have a core on a 2-core machine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';

import { startSandbox } from '../../sandbox';

const TARGET_PER_SECOND = 5000;
const CONCURRENCY = 256;
const WARMUP_MS = 700;
const MEASURE_MS = 3000;

/**
 * Plain JS so the worker needs no TypeScript loader. A minimal HTTP/1.1 keep-alive client over raw sockets
 * (one request in flight per connection): node's own http client costs more CPU per request than the servers
 * measured here, and would make the client, not the server, the bottleneck.
 */
const LOAD_GENERATOR = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { url, path, headers, concurrency, warmupMs, measureMs } = workerData;
const target = new URL(url);
const extraHeaders = Object.entries(headers).map(([name, value]) => name + ': ' + value + '\\r\\n').join('');
let sequence = 0;
function request() {
	sequence++;
	const payload = JSON.stringify({
		messaging_product: 'whatsapp',
		to: String(5491100000000 + (sequence % 200000)),
		type: 'template',
		biz_opaque_callback_data: 'campaign-bench:' + sequence,
		template: { name: 'appointment_reminder', language: { code: 'es' }, components: [
			{ type: 'body', parameters: [{ type: 'text', text: 'Emilia' }, { type: 'text', text: 'martes 14 de octubre, 8:30 h' }] },
		] },
	});
	return 'POST ' + path + ' HTTP/1.1\\r\\nHost: ' + target.host + '\\r\\nConnection: keep-alive\\r\\n' + extraHeaders +
		'Content-Type: application/json\\r\\nContent-Length: ' + Buffer.byteLength(payload) + '\\r\\n\\r\\n' + payload;
}
let measuring = false;
let stopping = false;
let count = 0;
const byStatus = {};
let open = 0;
let started = 0;
function connection() {
	open++;
	const socket = net.connect(Number(target.port), target.hostname);
	socket.setNoDelay(true);
	let buffer = Buffer.alloc(0);
	const send = () => {
		if (stopping) { socket.end(); return; }
		socket.write(request());
	};
	socket.on('connect', send);
	socket.on('data', (chunk) => {
		buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
		for (;;) {
			const headEnd = buffer.indexOf('\\r\\n\\r\\n');
			if (headEnd < 0) return;
			const head = buffer.toString('latin1', 0, headEnd);
			const length = Number((/content-length: *(\\d+)/i.exec(head) || [0, 0])[1]);
			if (buffer.length < headEnd + 4 + length) return;
			const status = head.slice(9, 12);
			if (measuring) { count++; byStatus[status] = (byStatus[status] || 0) + 1; }
			buffer = buffer.subarray(headEnd + 4 + length);
			send();
		}
	});
	socket.on('error', (error) => { byStatus.error = String(error.message); });
	socket.on('close', () => { if (--open === 0) parentPort.postMessage({ count, elapsedMs: Date.now() - started, byStatus }); });
}
for (let i = 0; i < concurrency; i++) connection();
setTimeout(() => {
	measuring = true;
	started = Date.now();
	setTimeout(() => { measuring = false; stopping = true; }, measureMs);
}, warmupMs);
`;

interface LoadResult {
	count: number;
	elapsedMs: number;
	byStatus: Record<string, number | string>;
}

function load(
	url: string,
	path: string,
	headers: Record<string, string>,
): Promise<LoadResult & { perSecond: number }> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(LOAD_GENERATOR, {
			eval: true,
			workerData: {
				url,
				path,
				headers,
				concurrency: CONCURRENCY,
				warmupMs: WARMUP_MS,
				measureMs: MEASURE_MS,
			},
		});
		worker.once('message', (result: LoadResult) => {
			void worker.terminate();
			resolve({ ...result, perSecond: (result.count * 1000) / result.elapsedMs });
		});
		worker.once('error', reject);
	});
}

async function bareServer(): Promise<{ url: string; close: () => Promise<void> }> {
	const answer = JSON.stringify({
		messaging_product: 'whatsapp',
		contacts: [{ input: '5491100000000', wa_id: '5491100000000' }],
		messages: [{ id: 'wamid.BARE', message_status: 'accepted' }],
	});
	const server = http.createServer({ keepAlive: true }, (req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(answer),
			});
			res.end(answer);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/** A webhook receiver that only reads and acknowledges, as a fast n8n trigger would. */
async function webhookSink(): Promise<{
	url: string;
	received: () => number;
	close: () => Promise<void>;
}> {
	let posts = 0;
	const server = http.createServer({ keepAlive: true }, (req, res) => {
		req.resume();
		req.on('end', () => {
			posts++;
			res.writeHead(200, { 'content-length': 0 });
			res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
		received: () => posts,
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

function describe(result: LoadResult): string {
	return Object.entries(result.byStatus)
		.map(([status, count]) => `${status}: ${count}`)
		.join(', ');
}

interface Round {
	baseline: LoadResult & { perSecond: number };
	plain: LoadResult & { perSecond: number };
	accepted: number;
	withWebhooks: LoadResult & { perSecond: number };
	deliveries: number;
	changes: number;
}

async function round(): Promise<Round> {
	const bare = await bareServer();
	const baseline = await load(bare.url, '/v24.0/1000000001/messages', {});
	await bare.close();

	const loadOptions = {
		// Far above Meta's 1,000 mps so the bench measures the whole accept path, not 130429 answers.
		throughputMps: 1_000_000,
		latency: { minMs: 1, maxMs: 10 },
		statusDelayMs: 50,
		seed: 1,
	};
	const quiet = await startSandbox(loadOptions);
	const plain = await load(quiet.url, '/v24.0/1000000001/messages', {
		authorization: 'Bearer sandbox-token',
	});
	const accepted = quiet.control.ledger.count();
	await quiet.stop();

	const sink = await webhookSink();
	const hooked = await startSandbox({ ...loadOptions, webhookUrl: sink.url });
	const withWebhooks = await load(hooked.url, '/v24.0/1000000001/messages', {
		authorization: 'Bearer sandbox-token',
	});
	await hooked.control.waitForWebhooksIdle(60_000);
	const log = hooked.control.webhookDeliveries();
	const changes = log.reduce((sum, delivery) => sum + delivery.changes, 0);
	await hooked.stop();
	await sink.close();
	return { baseline, plain, accepted, withWebhooks, deliveries: log.length, changes };
}

export default async function bench(): Promise<void> {
	console.log(
		`concurrency ${CONCURRENCY} keep-alive connections, ${MEASURE_MS} ms measured after ${WARMUP_MS} ms warm-up`,
	);
	// The machine is shared: a missed target is measured again (up to 3 rounds) before it counts.
	let worst = 0;
	let last: Round | undefined;
	for (let attempt = 1; attempt <= 3 && worst < TARGET_PER_SECOND; attempt++) {
		const result = await round();
		last = result;
		const { baseline, plain, withWebhooks } = result;
		const ratio = (value: number) =>
			`${((value / baseline.perSecond) * 100).toFixed(0)} % of bare node:http`;
		console.log(`round ${attempt} (load average ${loadavg()[0].toFixed(2)})`);
		console.log(
			`  bare node:http server            ${baseline.perSecond.toFixed(0).padStart(7)} req/s   (${describe(baseline)})`,
		);
		console.log(
			`  sandbox, latency 1-10 ms         ${plain.perSecond.toFixed(0).padStart(7)} sends/s (${ratio(plain.perSecond)}; ${describe(plain)}; ${result.accepted} in the ledger)`,
		);
		console.log(
			`  sandbox + signed status webhooks ${withWebhooks.perSecond.toFixed(0).padStart(7)} sends/s (${ratio(withWebhooks.perSecond)}; ${describe(withWebhooks)}; ` +
				`${result.changes} status changes in ${result.deliveries} POSTs, ${(result.changes / Math.max(1, result.deliveries)).toFixed(1)} per POST)`,
		);
		if (
			plain.byStatus['200'] !== plain.count ||
			withWebhooks.byStatus['200'] !== withWebhooks.count
		) {
			throw new Error('some bench sends were refused; the bench must measure accepted sends only');
		}
		worst = Math.min(plain.perSecond, withWebhooks.perSecond);
	}
	if (worst < TARGET_PER_SECOND) {
		throw new Error(
			`the sandbox answered ${worst.toFixed(0)} sends/s, under the ${TARGET_PER_SECOND}/s target (bare node:http: ${last!.baseline.perSecond.toFixed(0)}/s)`,
		);
	}
	console.log(`target ≥ ${TARGET_PER_SECOND} sends/s: met (${worst.toFixed(0)}/s at worst)`);
}
