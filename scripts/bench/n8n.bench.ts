/**
 * `npm run bench -- n8n`: the package measured where users run it, inside the pinned n8n 2.40.7 (booted by the
 * e2e runtime, the package linked as users install it), against the sandbox with 100 ms API latency, side by
 * side with what a user would use instead, in the same n8n and the same run (issue 11):
 *
 * 1. webhook intake: WhatsApp HSM Trigger vs n8n's Webhook node vs a test-only floor trigger (answers 200,
 *    starts nothing): POSTs/s, p50/p99 and n8n's CPU per POST (n8n + task runner, from /proc), for statuses
 *    (recorded, no execution) and messages (an execution each); every POST answered 200 must be in the store;
 *    the variants are loaded in BENCH_N8N_INTAKE_ROUNDS (default 4) interleaved rounds, so warm-up and noise fall
 *    on each alike;
 * 2. Bulk Campaign vs the HTTP Request node with Batching (cap per 1,000 ms), same rows from a Code node, at 80
 *    and 1,000 msg/s, with status webhooks from the sandbox to a trigger workflow in the same n8n, batched and
 *    one change per POST; every recipient exactly once;
 * 3. 100,000 recipients in one execution (Output: Summary Only) vs the same workflow with a No Op node: wall
 *    time, msg/s, n8n peak RSS, and /healthz latency sampled while it runs; BENCH_N8N_BIG_RUNS (default 3)
 *    pairs, each run in a fresh n8n, the memory figure their median;
 * 4. the intake and the 1,000 msg/s batched campaign again in an n8n started with
 *    N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (no expression isolate per webhook POST).
 *
 * 5. part `repeat` (not in the default parts): only the 1,000 msg/s batched campaign, BENCH_N8N_REPEAT times
 *    (default 5) in one n8n, each rate and the median printed: how much one run's figure moves on this machine;
 *    each time with the statuses to our trigger, to the floor trigger and to no receiver, interleaved
 *    (BENCH_N8N_REPEAT_RECEIVERS=our,floor,no picks them).
 *
 * Targets (the run fails when one is missed) are the issue's; the one-change-per-POST runs are printed only.
 * The batched-status campaign rows (the targets) run BENCH_N8N_TARGET_RUNS times (default 3) and judge the median.
 * Sizes come from the environment so a quick run is possible (defaults: the issue's sizes):
 *   BENCH_N8N_PARTS=intake,campaign,big  BENCH_N8N_POSTS=1000  BENCH_N8N_CONCURRENCY=16
 *   BENCH_N8N_RECIPIENTS_80=2000  BENCH_N8N_RECIPIENTS_1000=20000  BENCH_N8N_BIG=100000  BENCH_N8N_PEER_ROWS=1000
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { SqliteStore } from '../../lib/store/sqlite';
import { dedupKey, receiveWebhook } from '../../lib/webhook';
import type { StoredCredential, StoredWorkflow, WorkflowJson } from '../n8n/rest';
import { SANDBOX_DEFAULTS, startSandbox, type RunningSandbox } from '../../sandbox';
import {
	createSandboxCredential,
	messageBody,
	percentile,
	signature,
	mergeLoads,
	postLoad,
	rssBytes,
	sleep,
	startBenchN8n,
	statusBody,
	type BenchN8n,
	type LoadResult,
} from './n8n/harness';
import {
	campaignWorkflow,
	FLOOR,
	floorWorkflow,
	httpRequestWorkflow,
	noOpWorkflow,
	TRIGGER,
	triggerWorkflow,
	WEBHOOK,
	webhookNodeWorkflow,
} from './n8n/workflows';

const env = (name: string, fallback: number) =>
	process.env[name] ? Number(process.env[name]) : fallback;
const SIZES = {
	posts: env('BENCH_N8N_POSTS', 1000),
	concurrency: env('BENCH_N8N_CONCURRENCY', 16),
	recipients80: env('BENCH_N8N_RECIPIENTS_80', 2000),
	recipients1000: env('BENCH_N8N_RECIPIENTS_1000', 20_000),
	big: env('BENCH_N8N_BIG', 100_000),
	// The HTTP Request node spends ~100 ms of n8n's CPU per item in n8n 2.40's expression runtime (its JSON
	// body is one expression): 20,000 rows would take over half an hour, so it sends at most this many rows
	// and its rate is measured over them.
	peerRows: env('BENCH_N8N_PEER_ROWS', 1000),
	repeat: env('BENCH_N8N_REPEAT', 5),
	// No Op / campaign pairs of the 100,000 row (each in a fresh n8n); the memory figure is their median.
	bigRuns: env('BENCH_N8N_BIG_RUNS', 3),
	// The intake's variants are loaded in this many interleaved rounds each.
	intakeRounds: env('BENCH_N8N_INTAKE_ROUNDS', 4),
	// Campaign runs behind each batched-status target (the median is judged); the other rows run once.
	targetRuns: env('BENCH_N8N_TARGET_RUNS', 3),
	// Which status receivers part `repeat` interleaves: our, floor, no (trigger, floor trigger, none).
	repeatReceivers: (process.env.BENCH_N8N_REPEAT_RECEIVERS ?? 'our,floor,no').split(','),
};
const PARTS = new Set(
	(process.env.BENCH_N8N_PARTS ?? 'intake,campaign,big').split(',').map((part) => part.trim()),
);

const TARGETS = {
	rateAt80: 0.98,
	rateAt1000: 0.95,
	vsHttpRequestAt1000: 2,
	cpuVsFloor: 1.2,
	cpuVsWebhookNode: 0.5,
	bigRate: 0.9,
	bigRssPerRecipient: 2048,
	healthzMs: 1000,
};

const LATENCY = { minMs: 100, maxMs: 100 };
const { wabaId, phoneNumberId, appSecret, accessToken } = SANDBOX_DEFAULTS;

interface Context {
	n8n: BenchN8n;
	sandbox: RunningSandbox;
	cloudApi: StoredCredential;
	headerAuth: StoredCredential;
	storeFile: string;
	check(ok: boolean, text: string): void;
	rows: string[][];
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);
const load = () => `load average ${fmt(loadavg()[0], 2)}`;

async function publish(ctx: Context, workflow: WorkflowJson): Promise<StoredWorkflow> {
	return ctx.n8n.instance.rest.importAndPublish(workflow, {
		credentials: { whatsAppCloudApi: ctx.cloudApi, httpHeaderAuth: ctx.headerAuth },
	});
}

// ------------------------------------------------------------------------------------------------ 1. intake

/**
 * `config` names the n8n configuration: "default" (as installed) or "lazy isolate"
 * (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true). In n8n 2.40's default, every POST to a community trigger creates an
 * expression isolate before the node runs (live-webhooks executeWebhook), which n8n's own Webhook node may skip:
 * the floor trigger, which does nothing, then already costs more than half the Webhook node's CPU, so the
 * "≤ 0.5× the Webhook node" target is checked where n8n allows it, with the lazy isolate.
 */
async function intake(ctx: Context, config: 'default' | 'lazy isolate'): Promise<void> {
	const { rest } = ctx.n8n.instance;
	const suffix = randomUUID().slice(0, 8);
	const quiet = await publish(
		ctx,
		triggerWorkflow(`bench intake trigger (no execution) ${suffix}`, {
			emit: [],
			storeFile: ctx.storeFile,
		}),
	);
	const emitting = await publish(
		ctx,
		triggerWorkflow(`bench intake trigger (messages) ${suffix}`, {
			emit: ['messages'],
			storeFile: ctx.storeFile,
		}),
	);
	const webhook = await publish(
		ctx,
		webhookNodeWorkflow(`bench intake Webhook node ${suffix}`, `bench-intake-${suffix}`),
	);
	const floor = await publish(ctx, floorWorkflow(`bench intake floor ${suffix}`));
	const urls = {
		quiet: await rest.productionWebhookUrl(quiet, TRIGGER),
		emitting: await rest.productionWebhookUrl(emitting, TRIGGER),
		webhook: await rest.productionWebhookUrl(webhook, WEBHOOK),
		floor: await rest.productionWebhookUrl(floor, FLOOR),
	};
	const statuses = (tag: string) =>
		Array.from({ length: SIZES.posts }, (_, i) =>
			statusBody({
				wabaId,
				phoneNumberId,
				wamid: `wamid.B${tag}${suffix}${i}`,
				recipient: `549116${String(i).padStart(7, '0')}`,
				status: 'delivered',
			}),
		);
	const messages = (tag: string) =>
		Array.from({ length: SIZES.posts }, (_, i) =>
			messageBody({
				wabaId,
				phoneNumberId,
				wamid: `wamid.M${tag}${suffix}${i}`,
				from: `549117${String(i).padStart(7, '0')}`,
				text: `hola ${i}`,
			}),
		);

	/**
	 * Loads the variants in interleaved rounds (each round in a rotated order), so that n8n warming up, its
	 * database growing and the machine's noise fall on every variant alike, not on whichever runs first.
	 */
	const interleaved = async (
		variants: Array<{ name: string; url: string; bodies: Buffer[] }>,
	): Promise<LoadResult[]> => {
		// Warm-up (n8n loads the workflow and the node's modules on first use), not measured.
		for (const variant of variants)
			await postLoad({
				url: variant.url,
				bodies: variant.bodies.slice(0, 20),
				secret: appSecret,
				concurrency: 4,
				cpuMs: ctx.n8n.cpuMs,
			});
		const parts = variants.map(() => [] as LoadResult[]);
		const cpu = variants.map(() => 0);
		const rounds = SIZES.intakeRounds;
		for (let round = 0; round < rounds; round++)
			for (let k = 0; k < variants.length; k++) {
				const index = (round + k) % variants.length;
				const measured = variants[index].bodies.slice(20);
				const size = Math.ceil(measured.length / rounds);
				const cpuBefore = ctx.n8n.cpuMs();
				parts[index].push(
					await postLoad({
						url: variants[index].url,
						bodies: measured.slice(round * size, (round + 1) * size),
						secret: appSecret,
						concurrency: SIZES.concurrency,
						cpuMs: ctx.n8n.cpuMs,
					}),
				);
				// Executions are saved after the answer: their CPU belongs to the POST too.
				await sleep(1_000);
				cpu[index] += ctx.n8n.cpuMs() - cpuBefore;
			}
		return variants.map((variant, index) => {
			const result = mergeLoads(parts[index], cpu[index]);
			console.log(
				`  ${variant.name.padEnd(44)} ${fmt(result.postsPerSecond).padStart(6)} POSTs/s  p50 ${fmt(result.p50Ms).padStart(6)} ms  p99 ${fmt(result.p99Ms).padStart(7)} ms  ` +
					`${fmt(result.cpuMsPerPost, 2).padStart(6)} ms n8n CPU/POST  answers ${JSON.stringify(result.statuses)}  (${rounds} interleaved rounds, ${load()})`,
			);
			return result;
		});
	};

	console.log(
		`webhook intake, n8n ${config}: ${SIZES.posts} signed POSTs each (one change per POST), ${SIZES.concurrency} in flight`,
	);
	const statusBodies = statuses('q');
	const [ours, floorStatus, webhookStatus] = await interleaved([
		{
			name: 'WhatsApp HSM Trigger, statuses (no execution)',
			url: urls.quiet,
			bodies: statusBodies,
		},
		{ name: 'floor trigger (answers 200, starts nothing)', url: urls.floor, bodies: statuses('f') },
		{
			name: "n8n's Webhook node (an execution per POST)",
			url: urls.webhook,
			bodies: statuses('w'),
		},
	]);
	const messageBodies = messages('e');
	const [oursMessages, webhookMessages] = await interleaved([
		{
			name: 'WhatsApp HSM Trigger, messages (an execution each)',
			url: urls.emitting,
			bodies: messageBodies,
		},
		{ name: "n8n's Webhook node, messages", url: urls.webhook, bodies: messages('w') },
	]);

	// Every POST answered 200 is in the store: marking its event seen again must find it already seen.
	const store = new SqliteStore({ path: ctx.storeFile });
	try {
		for (const [bodies, result, what] of [
			[statusBodies, ours, 'statuses'],
			[messageBodies, oursMessages, 'messages'],
		] as const) {
			const keys = bodies.slice(20).flatMap((rawBody) => eventsOf(rawBody).map(dedupKey));
			const fresh = await store.markSeen(keys);
			const missing = fresh.filter(Boolean).length;
			ctx.check(
				result.ok === SIZES.posts - 20 && missing === 0,
				`trigger ${what}: all ${result.ok} POSTs answered 200 and every event is in the store (${missing} missing)`,
			);
		}
	} finally {
		await store.close();
	}

	const vsFloor = ours.cpuMsPerPost / floorStatus.cpuMsPerPost;
	const vsWebhook = ours.cpuMsPerPost / webhookStatus.cpuMsPerPost;
	ctx.check(
		vsFloor <= TARGETS.cpuVsFloor,
		`${config}: trigger CPU per status POST ${fmt(ours.cpuMsPerPost, 2)} ms = ${fmt(vsFloor, 2)}× the floor trigger's ${fmt(floorStatus.cpuMsPerPost, 2)} ms (target ≤ ${TARGETS.cpuVsFloor}×)`,
	);
	const webhookText = `${config}: trigger CPU per status POST = ${fmt(vsWebhook, 2)}× n8n's Webhook node's ${fmt(webhookStatus.cpuMsPerPost, 2)} ms (target ≤ ${TARGETS.cpuVsWebhookNode}×; the floor trigger: ${fmt(floorStatus.cpuMsPerPost / webhookStatus.cpuMsPerPost, 2)}×)`;
	if (config === 'default')
		console.log(
			`info ${webhookText}: bounded by n8n's per-POST isolate, checked with the lazy isolate below`,
		);
	else ctx.check(vsWebhook <= TARGETS.cpuVsWebhookNode, webhookText);
	console.log(
		`  messages (an execution each): trigger ${fmt(oursMessages.cpuMsPerPost, 2)} ms vs Webhook node ${fmt(webhookMessages.cpuMsPerPost, 2)} ms n8n CPU/POST (${fmt(oursMessages.cpuMsPerPost / webhookMessages.cpuMsPerPost, 2)}×)`,
	);
	const capacity = 1000 / ours.cpuMsPerPost;
	console.log(
		`  one-change-per-POST capacity: ~${fmt(capacity, 0)} status POSTs/s per core of n8n (floor: ${fmt(1000 / floorStatus.cpuMsPerPost, 0)}); ` +
			`an 80 msg/s campaign brings up to 240/s. Beyond that: queue mode with webhook processors.`,
	);
	ctx.rows.push(
		[
			`intake, statuses (no execution), n8n ${config}`,
			`${fmt(ours.postsPerSecond)} POSTs/s, ${fmt(ours.cpuMsPerPost, 2)} ms CPU/POST`,
			`Webhook node ${fmt(webhookStatus.cpuMsPerPost, 2)} ms; floor ${fmt(floorStatus.cpuMsPerPost, 2)} ms`,
		],
		[
			`intake, messages (execution each), n8n ${config}`,
			`${fmt(oursMessages.postsPerSecond)} POSTs/s, ${fmt(oursMessages.cpuMsPerPost, 2)} ms CPU/POST`,
			`Webhook node ${fmt(webhookMessages.cpuMsPerPost, 2)} ms`,
		],
	);
}

/** The events of a body as the trigger sees them (signature checked with the sandbox's app secret). */
function eventsOf(rawBody: Buffer) {
	const received = receiveWebhook(
		{ rawBody, headers: { 'x-hub-signature-256': signature(rawBody, appSecret) } },
		{ mode: 'signature', appSecret },
	);
	return received.status === 200 ? received.events : [];
}

// ------------------------------------------------------------------------------------------------ 2. campaign

/** waitForExecution, riding out n8n's 503 "Database is not ready" on a saturated machine. */
async function waitForExecution(
	ctx: Context,
	workflowId: string,
	options: { timeoutMs: number; intervalMs?: number },
) {
	const deadline = Date.now() + options.timeoutMs;
	for (;;) {
		try {
			return await ctx.n8n.instance.rest.waitForExecution(workflowId, {
				timeoutMs: Math.max(1_000, deadline - Date.now()),
				intervalMs: options.intervalMs,
			});
		} catch (error) {
			if (!/answered 503/.test((error as Error).message) || Date.now() > deadline) throw error;
			await sleep(1_000);
		}
	}
}

/** Sandbox-side rate: (n - 1) / (last - first) over the accepted sends. */
function ledgerRate(sandbox: RunningSandbox): { count: number; rate: number; spanMs: number } {
	const times = sandbox.control.ledger
		.all()
		.map((entry) => entry.at.getTime())
		.sort((a, b) => a - b);
	const spanMs = times.length > 1 ? times[times.length - 1] - times[0] : 0;
	return {
		count: times.length,
		rate: spanMs > 0 ? ((times.length - 1) * 1000) / spanMs : 0,
		spanMs,
	};
}

/** The whole seconds of a run (from its first accepted message, the last partial second left out) that sent under 90 % of the cap, as "second: messages". */
function slowSeconds(sandbox: RunningSandbox, cap: number): string[] {
	const times = sandbox.control.ledger.all().map((entry) => entry.at.getTime());
	if (times.length === 0) return [];
	const start = Math.min(...times);
	const perSecond = new Map<number, number>();
	for (const at of times) {
		const second = Math.floor((at - start) / 1000);
		perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
	}
	const last = Math.max(...perSecond.keys());
	const slow: string[] = [];
	for (let second = 0; second < last; second++) {
		const sent = perSecond.get(second) ?? 0;
		if (sent < 0.9 * cap) slow.push(`${second}: ${sent}`);
	}
	return slow;
}

interface SendRun {
	rate: number;
	count: number;
	/** Seconds under 90 % of the cap, "second: messages" (see slowSeconds) */
	slowSeconds: string[];
	/** Sends the sandbox refused with 130429 (over the number's throughput) */
	throttled: number;
	duplicates: number;
	executionSeconds: number;
	/** Status changes the trigger answered 200 for by the end of the execution, and the 3 per message due */
	statusChangesOk: number;
	statusChangesDue: number;
	/** Status POSTs answered 200 by then (with batching, as many changes per POST as were due together) */
	statusPosts: number;
	/** n8n's CPU (all its threads and its task runner) from the start POST to the finished execution */
	cpuSeconds: number;
}

let offset = 0;

async function sendRun(
	ctx: Context,
	options: {
		variant: 'campaign' | 'httpRequest';
		cap: number;
		count: number;
		batch: number;
		triggerUrl: string;
	},
): Promise<SendRun> {
	const { rest, url } = ctx.n8n.instance;
	const { sandbox } = ctx;
	sandbox.control.reset();
	sandbox.control.configure({ throughputMps: options.cap, webhookBatchSize: options.batch });
	sandbox.control.setWebhookUrl(options.triggerUrl);
	const path = `bench-${options.variant}-${randomUUID().slice(0, 8)}`;
	const rowsOffset = (offset += options.count);
	const workflow =
		options.variant === 'campaign'
			? campaignWorkflow(`bench ${path}`, {
					path,
					count: options.count,
					offset: rowsOffset,
					campaignName: path,
					storeFile: ctx.storeFile,
					maxRate: options.cap,
					output: 'notSent',
				})
			: httpRequestWorkflow(`bench ${path}`, {
					path,
					count: options.count,
					offset: rowsOffset,
					messagesUrl: `${sandbox.url}/v24.0/${phoneNumberId}/messages`,
					cap: options.cap,
				});
	const stored = await publish(ctx, workflow);
	const cpuBefore = ctx.n8n.cpuMs();
	const response = await fetch(`${url}/webhook/${path}`, { method: 'POST' });
	if (response.status !== 200) throw new Error(`starting ${path} answered ${response.status}`);
	const execution = await waitForExecution(ctx, stored.id, {
		timeoutMs: Math.max(600_000, options.count * 50),
	});
	if (execution.status !== 'success')
		throw new Error(
			`${path}: execution ${execution.id} ${execution.status}: ${JSON.stringify(execution.data?.resultData?.error ?? {}).slice(0, 500)}`,
		);
	const cpuSeconds = (ctx.n8n.cpuMs() - cpuBefore) / 1000;
	const measured = ledgerRate(sandbox);
	const deliveries = sandbox.control.webhookDeliveries();
	const result: SendRun = {
		rate: measured.rate,
		count: measured.count,
		slowSeconds: slowSeconds(sandbox, options.cap),
		throttled: sandbox.control.ledger.rejections().filter((refusal) => refusal.code === 130429)
			.length,
		duplicates: sandbox.control.ledger.duplicates().length,
		executionSeconds:
			(new Date(execution.stoppedAt ?? Date.now()).getTime() -
				new Date(execution.startedAt).getTime()) /
			1000,
		statusChangesOk: deliveries
			.filter((delivery) => delivery.status === 200)
			.reduce((sum, delivery) => sum + delivery.changes, 0),
		statusChangesDue: 3 * measured.count,
		statusPosts: deliveries.filter((delivery) => delivery.status === 200).length,
		cpuSeconds,
	};
	await rest.unpublishWorkflow(stored.id);
	// A backlog of status webhooks (one per POST) is dropped, so it does not load the next run.
	sandbox.control.reset();
	return result;
}

async function campaigns(ctx: Context): Promise<void> {
	const suffix = randomUUID().slice(0, 8);
	const statusTrigger = await publish(
		ctx,
		triggerWorkflow(`bench status trigger ${suffix}`, { emit: [], storeFile: ctx.storeFile }),
	);
	const triggerUrl = await ctx.n8n.instance.rest.productionWebhookUrl(statusTrigger, TRIGGER);
	for (const [cap, count] of [
		[80, SIZES.recipients80],
		[1000, SIZES.recipients1000],
	] as const) {
		for (const [shape, batch] of [
			['batched', 1000],
			['one per POST', 1],
		] as const) {
			// The target rows run the campaign several times and judge the median: on this shared 2-core machine one
			// 1,000 msg/s run moves by several points between runs of the same code (part `repeat` shows it).
			const runs: SendRun[] = [];
			for (let run = 0; run < (shape === 'batched' ? SIZES.targetRuns : 1); run++)
				runs.push(await sendRun(ctx, { variant: 'campaign', cap, count, batch, triggerUrl }));
			const campaign = [...runs].sort((a, b) => a.rate - b.rate)[Math.floor(runs.length / 2)];
			const peerRows = Math.min(count, SIZES.peerRows);
			const http = await sendRun(ctx, {
				variant: 'httpRequest',
				cap,
				count: peerRows,
				batch,
				triggerUrl,
			});
			const line = (name: string, run: SendRun, rows: number) =>
				`  ${name.padEnd(22)} ${fmt(run.rate).padStart(7)} msg/s (${fmt((run.rate / cap) * 100)} % of the cap), ${run.count} of ${rows} accepted, ${run.duplicates} duplicates, ` +
				`execution ${fmt(run.executionSeconds)} s; status changes taken (200) by the trigger by then: ${run.statusChangesOk} of ${run.statusChangesDue}`;
			console.log(`cap ${cap} msg/s, ${count} recipients, status webhooks ${shape} (${load()}):`);
			for (const run of runs)
				console.log(
					line(
						runs.length > 1 && run === campaign ? 'Bulk Campaign (median)' : 'Bulk Campaign',
						run,
						count,
					),
				);
			console.log(line('HTTP Request, Batching', http, peerRows));
			console.log(`  ratio campaign / HTTP Request: ${fmt(campaign.rate / http.rate, 2)}×`);
			ctx.rows.push([
				`${count} recipients, cap ${cap}, statuses ${shape}`,
				runs.length > 1
					? `${fmt(campaign.rate)} msg/s (${fmt((campaign.rate / cap) * 100)} %), median of ${runs.map((run) => fmt((run.rate / cap) * 100)).join(' / ')} %`
					: `${fmt(campaign.rate)} msg/s (${fmt((campaign.rate / cap) * 100)} %)`,
				`HTTP Request ${fmt(http.rate)} msg/s (${fmt((http.rate / cap) * 100)} %), ${http.count} accepted`,
			]);
			for (const run of runs)
				ctx.check(
					run.count === count && run.duplicates === 0,
					`cap ${cap}, ${shape}: every recipient exactly once (${run.count} of ${count}, ${run.duplicates} duplicates)`,
				);
			if (shape !== 'batched') continue;
			const target = cap === 80 ? TARGETS.rateAt80 : TARGETS.rateAt1000;
			ctx.check(
				campaign.rate >= cap * target,
				`cap ${cap}, statuses batched: campaign at ${fmt((campaign.rate / cap) * 100)} % of the cap${runs.length > 1 ? `, median of ${runs.length} runs (${runs.map((run) => fmt((run.rate / cap) * 100)).join(', ')} %)` : ''} (target ≥ ${target * 100} %)`,
			);
			if (cap === 1000)
				ctx.check(
					campaign.rate >= TARGETS.vsHttpRequestAt1000 * http.rate,
					`cap 1000: campaign ${fmt(campaign.rate / http.rate, 2)}× the batched HTTP Request node (target ≥ ${TARGETS.vsHttpRequestAt1000}×)`,
				);
		}
	}
	await ctx.n8n.instance.rest.unpublishWorkflow(statusTrigger.id);
}

/**
 * Part `repeat`: the 1,000 msg/s batched campaign several times in one n8n, to show the spread of one figure,
 * with its status webhooks going in turn to our trigger, to the floor trigger (n8n's own cost per POST, nothing
 * recorded) and nowhere: the three medians split the cost between n8n's per-POST work and our recording.
 */
async function repeatedCampaign(ctx: Context): Promise<void> {
	const suffix = randomUUID().slice(0, 8);
	const { rest } = ctx.n8n.instance;
	const statusTrigger = await publish(
		ctx,
		triggerWorkflow(`bench status trigger ${suffix}`, { emit: [], storeFile: ctx.storeFile }),
	);
	const floor = await publish(ctx, floorWorkflow(`bench status floor ${suffix}`));
	const receivers = [
		{ name: 'our trigger', url: await rest.productionWebhookUrl(statusTrigger, TRIGGER) },
		{ name: 'floor trigger', url: await rest.productionWebhookUrl(floor, FLOOR) },
		{ name: 'no status webhooks', url: '' },
	].filter((receiver) => SIZES.repeatReceivers.includes(receiver.name.split(' ')[0]));
	const rates = new Map<string, number[]>(receivers.map((receiver) => [receiver.name, []]));
	for (let run = 1; run <= SIZES.repeat; run++) {
		for (const receiver of receivers) {
			const campaign = await sendRun(ctx, {
				variant: 'campaign',
				cap: 1000,
				count: SIZES.recipients1000,
				batch: 1000,
				triggerUrl: receiver.url,
			});
			rates.get(receiver.name)!.push(campaign.rate);
			console.log(
				`repeat ${run}, statuses to ${receiver.name}: ${fmt(campaign.rate)} msg/s (${fmt(campaign.rate / 10)} % of the cap), n8n CPU ${fmt(campaign.cpuSeconds)} s over ${fmt(campaign.executionSeconds)} s, ${campaign.count} accepted, ${campaign.duplicates} duplicates, ${campaign.throttled} refused 130429, ${campaign.statusPosts} status POSTs (${fmt(campaign.statusChangesOk / Math.max(1, campaign.statusPosts))} changes each); seconds below 90 % of the cap: ${campaign.slowSeconds.join(', ') || 'none'} (${load()})`,
			);
		}
	}
	for (const [name, list] of rates) {
		const sorted = [...list].sort((a, b) => a - b);
		console.log(
			`repeat, statuses to ${name}: median ${fmt(sorted[Math.floor(sorted.length / 2)] / 10)} % of the cap, min ${fmt(sorted[0] / 10)} %, max ${fmt(sorted[sorted.length - 1] / 10)} % (${sorted.map((rate) => fmt(rate / 10)).join(', ')})`,
		);
	}
	await rest.unpublishWorkflow(statusTrigger.id);
	await rest.unpublishWorkflow(floor.id);
}

/**
 * The 1,000 msg/s batched row again in the n8n started with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true: the same
 * campaign once n8n no longer acquires an expression isolate for every status POST. Printed, not a target.
 */
async function campaignLazy(ctx: Context): Promise<void> {
	const statusTrigger = await publish(
		ctx,
		triggerWorkflow(`bench status trigger lazy ${randomUUID().slice(0, 8)}`, {
			emit: [],
			storeFile: ctx.storeFile,
		}),
	);
	const triggerUrl = await ctx.n8n.instance.rest.productionWebhookUrl(statusTrigger, TRIGGER);
	const count = SIZES.recipients1000;
	const run = await sendRun(ctx, {
		variant: 'campaign',
		cap: 1000,
		count,
		batch: 1000,
		triggerUrl,
	});
	await ctx.n8n.instance.rest.unpublishWorkflow(statusTrigger.id);
	console.log(
		`cap 1000 msg/s, ${count} recipients, status webhooks batched, lazy isolate (${load()}): Bulk Campaign ${fmt(run.rate)} msg/s (${fmt(run.rate / 10)} % of the cap), ${run.count} accepted, ${run.duplicates} duplicates`,
	);
	ctx.rows.push([
		`${count} recipients, cap 1000, statuses batched, N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true`,
		`${fmt(run.rate)} msg/s (${fmt(run.rate / 10)} %)`,
		'—',
	]);
	ctx.check(
		run.count === count && run.duplicates === 0,
		`cap 1000, batched, lazy isolate: every recipient exactly once (${run.count} of ${count}, ${run.duplicates} duplicates)`,
	);
}

// ------------------------------------------------------------------------------------------------ 3. 100,000

async function big(main: Context): Promise<void> {
	const { sandbox } = main;
	const count = SIZES.big;
	const measure = async (ctx: Context, workflow: WorkflowJson, path: string) => {
		const { rest, url } = ctx.n8n.instance;
		sandbox.control.reset();
		sandbox.control.configure({ throughputMps: 1000 });
		const stored = await publish(ctx, workflow);
		const before = rssBytes(ctx.n8n.instance.pid);
		let peak = before;
		// Each /healthz answer: when it was asked (epoch ms) and how long it took.
		const health: Array<{ at: number; ms: number }> = [];
		let running = true;
		const sampler = (async () => {
			while (running) {
				peak = Math.max(peak, rssBytes(ctx.n8n.instance.pid));
				const at = Date.now();
				const t0 = performance.now();
				try {
					await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
					health.push({ at, ms: performance.now() - t0 });
				} catch {
					health.push({ at, ms: 10_000 });
				}
				await sleep(250);
			}
		})();
		const started = Date.now();
		const response = await fetch(`${url}/webhook/${path}`, { method: 'POST' });
		if (response.status !== 200) {
			running = false;
			await sampler;
			throw new Error(`starting ${path} answered ${response.status}`);
		}
		const execution = await waitForExecution(ctx, stored.id, {
			timeoutMs: 1_800_000,
			intervalMs: 1_000,
		});
		const wallSeconds = (Date.now() - started) / 1000;
		running = false;
		await sampler;
		await rest.unpublishWorkflow(stored.id);
		if (execution.status !== 'success') throw new Error(`${path}: execution ${execution.status}`);
		const all = health.map((sample) => sample.ms).sort((a, b) => a - b);
		// While the sender node runs: from the sandbox's first accepted message to its last (the Code node's
		// 100,000 rows and n8n's saving of the execution lie outside, and are the same for the No Op run).
		let firstSend = Number.POSITIVE_INFINITY;
		let lastSend = 0;
		for (const entry of sandbox.control.ledger.all()) {
			firstSend = Math.min(firstSend, entry.at.getTime());
			lastSend = Math.max(lastSend, entry.at.getTime());
		}
		const sending = health
			.filter((sample) => sample.at >= firstSend && sample.at <= lastSend)
			.map((sample) => sample.ms);
		return {
			wallSeconds,
			before,
			peak,
			healthP50: percentile(all, 50),
			healthMax: all[all.length - 1] ?? 0,
			healthMaxSending: sending.length > 0 ? Math.max(...sending) : undefined,
			healthSamplesSending: sending.length,
			execution,
		};
	};
	const tag = randomUUID().slice(0, 8);
	// Phones +549115 followed by 7 digits: these rows start at 8,000,000 so they meet no other run's recipients.
	const bigOffset = 8_000_000;
	/**
	 * Peak RSS depends on what the process did before (V8 keeps the heap it grew), so each of the two runs gets an
	 * n8n of its own, started fresh, warmed up by the same small campaign (the package's modules loaded).
	 */
	const inFreshN8n = async (name: string, workflow: (ctx: Context) => WorkflowJson) => {
		const n8n = await startBenchN8n({ log: (line) => console.log(line) });
		try {
			const ctx: Context = {
				...main,
				n8n,
				cloudApi: await createSandboxCredential(n8n, sandbox),
				storeFile: join(n8n.instance.userFolder, 'bench-store.sqlite'),
			};
			await measure(
				ctx,
				campaignWorkflow(`bench big warm-up ${name} ${tag}`, {
					path: `bench-big-warm-${name}-${tag}`,
					count: 20,
					offset: bigOffset - 100,
					campaignName: `warm-${name}-${tag}`,
					storeFile: ctx.storeFile,
					maxRate: 1000,
					output: 'summary',
				}),
				`bench-big-warm-${name}-${tag}`,
			);
			return await measure(ctx, workflow(ctx), `bench-big-${name}-${tag}`);
		} finally {
			await n8n.stop();
		}
	};
	// Peak RSS is V8's heap growth, so one pair's difference moves by a few hundred MB either way between runs of
	// the same code (-27 MB and +269 MB in two runs): the memory figure is the median of BENCH_N8N_BIG_RUNS pairs.
	const pairs: Array<{
		noOp: Awaited<ReturnType<typeof measure>>;
		campaign: Awaited<ReturnType<typeof measure>>;
		rate: number;
		accepted: number;
		duplicates: number;
		perRecipient: number;
	}> = [];
	for (let pair = 0; pair < SIZES.bigRuns; pair++) {
		const noOp = await inFreshN8n(`noop-${pair}`, () =>
			noOpWorkflow(`bench big no-op ${tag} ${pair}`, {
				path: `bench-big-noop-${pair}-${tag}`,
				count,
				offset: bigOffset,
			}),
		);
		const campaign = await inFreshN8n(`campaign-${pair}`, (ctx) =>
			campaignWorkflow(`bench big campaign ${tag} ${pair}`, {
				path: `bench-big-campaign-${pair}-${tag}`,
				count,
				offset: bigOffset,
				campaignName: `big-${tag}-${pair}`,
				storeFile: ctx.storeFile,
				maxRate: 1000,
				output: 'summary',
			}),
		);
		const measured = ledgerRate(sandbox);
		const result = {
			noOp,
			campaign,
			rate: measured.rate,
			accepted: measured.count,
			duplicates: sandbox.control.ledger.duplicates().length,
			perRecipient: (campaign.peak - noOp.peak) / count,
		};
		pairs.push(result);
		console.log(
			`${count} recipients in one execution, cap 1,000 msg/s, Output: Summary Only, pair ${pair + 1} of ${SIZES.bigRuns} (${load()}):`,
		);
		console.log(
			`  No Op baseline: ${fmt(noOp.wallSeconds)} s, n8n peak RSS ${fmt(noOp.peak / 1e6, 0)} MB (${fmt(noOp.before / 1e6, 0)} MB before); /healthz p50 ${fmt(noOp.healthP50)} ms, max ${fmt(noOp.healthMax)} ms`,
		);
		console.log(
			`  Bulk Campaign: ${fmt(campaign.wallSeconds)} s, ${result.accepted} accepted at ${fmt(result.rate)} msg/s at the sandbox, ${result.duplicates} duplicates; n8n peak RSS ${fmt(campaign.peak / 1e6, 0)} MB ` +
				`(${fmt((campaign.peak - noOp.peak) / 1e6, 0)} MB over the No Op peak = ${fmt(result.perRecipient, 0)} B/recipient); /healthz p50 ${fmt(campaign.healthP50)} ms, max ${fmt(campaign.healthMax)} ms over the whole execution, ` +
				`max ${fmt(campaign.healthMaxSending ?? Number.NaN)} ms over the ${campaign.healthSamplesSending} samples taken while it sent`,
		);
	}
	const median = [...pairs].sort((a, b) => a.perRecipient - b.perRecipient)[
		Math.floor(pairs.length / 2)
	];
	const { noOp, campaign, perRecipient } = median;
	const slowest = Math.min(...pairs.map((pair) => pair.rate));
	const worstHealth = Math.max(...pairs.map((pair) => pair.campaign.healthMaxSending ?? Infinity));
	const fewestSamples = Math.min(...pairs.map((pair) => pair.campaign.healthSamplesSending));
	const everyPair = (values: number[], digits = 0) =>
		values.map((value) => fmt(value, digits)).join(' / ');
	main.rows.push([
		`${count} recipients, cap 1,000, one execution${pairs.length > 1 ? ` (${pairs.length} runs)` : ''}`,
		`${everyPair(
			pairs.map((pair) => pair.rate),
			1,
		)} msg/s, +${fmt(perRecipient, 0)} B/recipient RSS (median of ${everyPair(pairs.map((pair) => pair.perRecipient))}), /healthz max ${fmt(worstHealth, 0)} ms while sending (${fmt(campaign.healthMax, 0)} ms over the execution)`,
		`No Op: peak RSS ${fmt(noOp.peak / 1e6, 0)} MB, /healthz max ${fmt(noOp.healthMax, 0)} ms over the execution`,
	]);
	for (const pair of pairs)
		main.check(
			pair.accepted === count && pair.duplicates === 0,
			`big: every recipient exactly once (${pair.accepted} of ${count}, ${pair.duplicates} duplicates)`,
		);
	main.check(
		slowest >= 1000 * TARGETS.bigRate,
		`big: ${fmt(slowest / 10)} % of the 1,000 msg/s cap in the slowest run (target ≥ ${TARGETS.bigRate * 100} %)`,
	);
	main.check(
		perRecipient <= TARGETS.bigRssPerRecipient,
		`big: peak RSS ${fmt(perRecipient, 0)} B per recipient above the No Op baseline, median of ${pairs.length} pairs (${everyPair(pairs.map((pair) => pair.perRecipient))}) (target ≤ ${TARGETS.bigRssPerRecipient} B)`,
	);
	main.check(
		fewestSamples >= 10 && worstHealth <= TARGETS.healthzMs,
		`big: /healthz answered within ${fmt(worstHealth, 0)} ms while the campaign sent, in every run (at least ${fewestSamples} samples each; target ≤ ${TARGETS.healthzMs} ms)`,
	);
	// Over the whole execution the No Op run sets n8n's own floor (the Code node's rows, saving the execution).
	console.log(
		`info big: /healthz worst over the whole execution ${fmt(campaign.healthMax, 0)} ms; the No Op run's ${fmt(noOp.healthMax, 0)} ms is n8n's own (its Code node and saving 100,000 items)`,
	);
}

// ------------------------------------------------------------------------------------------------ run

export default async function bench(): Promise<void> {
	console.log(`sizes ${JSON.stringify(SIZES)}, parts ${[...PARTS].join(',')}, ${load()}`);
	const failures: string[] = [];
	const sandbox = await startSandbox({
		throughputMps: 1000,
		latency: LATENCY,
		statusDelayMs: 100,
		webhookConcurrency: 32,
	});
	let n8n: BenchN8n | undefined;
	try {
		n8n = await startBenchN8n({ log: (line) => console.log(line) });
		const { rest } = n8n.instance;
		const cloudApi = await createSandboxCredential(n8n, sandbox);
		const headerAuth = await rest.createCredential({
			name: 'bench sandbox header',
			type: 'httpHeaderAuth',
			data: { name: 'Authorization', value: `Bearer ${accessToken}` },
		});
		const ctx: Context = {
			n8n,
			sandbox,
			cloudApi,
			headerAuth,
			storeFile: join(n8n.instance.userFolder, 'bench-store.sqlite'),
			rows: [],
			check(ok, text) {
				console.log(`${ok ? 'ok  ' : 'MISS'} ${text}`);
				if (!ok) failures.push(text);
			},
		};
		// The context of the n8n running now (the campaign part may start its own).
		let live = ctx;
		if (PARTS.has('intake')) await intake(ctx, 'default');
		if (PARTS.has('campaign')) {
			// The intake leaves ~5,000 handled POSTs (2,000 saved executions) and the heap they grew in its n8n. The
			// campaigns get an n8n of their own, as the 100,000 row's runs do, so that one part does not load the next
			// (the 1,000 msg/s row measured 88.5-94.9 % after the intake, medians of 95.0-98.1 % in fresh n8ns). The
			// HTTP Request node runs in that same n8n, side by side.
			let campaignCtx = ctx;
			if (PARTS.has('intake')) {
				await n8n.stop();
				n8n = undefined;
				const fresh = await startBenchN8n({ log: (line) => console.log(line) });
				n8n = fresh;
				campaignCtx = {
					...ctx,
					n8n: fresh,
					cloudApi: await createSandboxCredential(fresh, sandbox),
					headerAuth: await fresh.instance.rest.createCredential({
						name: 'bench sandbox header',
						type: 'httpHeaderAuth',
						data: { name: 'Authorization', value: `Bearer ${accessToken}` },
					}),
					storeFile: join(fresh.instance.userFolder, 'bench-store.sqlite'),
				};
			}
			await campaigns(campaignCtx);
			live = campaignCtx;
		}
		if (PARTS.has('big')) await big(ctx);
		if (PARTS.has('repeat')) await repeatedCampaign(live);
		if (PARTS.has('intake') || PARTS.has('campaign')) {
			// Again in an n8n with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (what we recommend for busy triggers).
			await n8n.stop();
			n8n = undefined;
			const lazy = await startBenchN8n({
				env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
				log: (line) => console.log(line),
			});
			n8n = lazy;
			const lazyCtx: Context = {
				...ctx,
				n8n: lazy,
				cloudApi: await createSandboxCredential(lazy, sandbox),
				storeFile: join(lazy.instance.userFolder, 'bench-store.sqlite'),
			};
			if (PARTS.has('intake')) await intake(lazyCtx, 'lazy isolate');
			if (PARTS.has('campaign')) await campaignLazy(lazyCtx);
		}
		console.log('\n| run (one n8n 2.40.7, sandbox at 100 ms) | ours | peer |\n|---|---|---|');
		for (const row of ctx.rows) console.log(`| ${row.join(' | ')} |`);
	} finally {
		await n8n?.stop();
		await sandbox.stop();
	}
	if (failures.length > 0) throw new Error(`missed: ${failures.join('; ')}`);
}
