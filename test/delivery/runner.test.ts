import {
	catchUpBurst,
	LocalRateLimiter,
	retryPolicy,
	runDeliveries,
	VirtualClock,
	type DeliveryProgress,
	type JobResult,
} from '../../lib/delivery';
import { accepted, fakeTransport, jobs, maxInWindow, memoryHooks, type Behaviour } from './helpers';

/** Everything in virtual time: the runner, the limiter and the transport's latency share one VirtualClock. */
function setup(behaviour: Behaviour, rate: number, latencyMs = 100) {
	const clock = new VirtualClock();
	const transport = fakeTransport(clock, behaviour, latencyMs);
	const limiter = new LocalRateLimiter({ ratePerSecond: rate, clock });
	const hooks = memoryHooks();
	return {
		clock,
		transport,
		limiter,
		hooks,
		common: { send: transport.send, limiter, hooks, clock, random: () => 0.5 },
	};
}

const byKey = (results: JobResult[]) => new Map(results.map((result) => [result.key, result]));
const always = (key: string) => accepted(key);

describe('runDeliveries', () => {
	it("sends every job once at the cap, with Little's-law concurrency", async () => {
		const { clock, transport, hooks, common } = setup(always, 1_000);
		const started = clock.now();
		const { results, summary } = await runDeliveries({ jobs: jobs(3_000), ...common });
		expect(summary.counts).toEqual({ sent: 3_000, failed: 0, skipped: 0, uncertain: 0, paused: 0 });
		expect(summary.stoppedBy).toBe('completed');
		expect(
			results.every(
				(result) =>
					result.outcome === 'sent' &&
					result.wamid === `wamid.${result.key}` &&
					result.attempts === 1,
			),
		).toBe(true);
		expect(new Set(transport.log.map((entry) => entry.key)).size).toBe(3_000);
		expect(hooks.settled).toHaveLength(3_000);
		expect(
			maxInWindow(
				transport.log.map((entry) => entry.at),
				1_000,
			),
		).toBeLessThanOrEqual(1_000 + catchUpBurst(1_000));
		// 3,000 at 1,000/s: ~3 s, plus one latency for the last answers.
		expect(summary.achievedRate).toBeGreaterThan(950);
		expect(summary.durationMs).toBe(clock.now() - started);
		// Once latency is measured: 1,000/s × 100 ms × 1.2.
		const steady = transport.log.filter((entry) => entry.at > started + 500);
		expect(Math.max(...steady.map((entry) => entry.inFlight))).toBeLessThanOrEqual(120);
		expect(Math.max(...steady.map((entry) => entry.inFlight))).toBeGreaterThanOrEqual(100);
	});

	it('retries each class as the policy says', async () => {
		const script: Record<string, Array<ReturnType<Behaviour>>> = {
			'server-error': [{ ok: false, httpStatus: 500 }],
			'something-wrong': [
				{ ok: false, code: 131000, httpStatus: 500 },
				{ ok: false, code: 131000, httpStatus: 500 },
			],
			network: [{ ok: false }],
			'bad-param': [{ ok: false, code: 100, httpStatus: 400, details: 'Invalid parameter: to' }],
			token: [{ ok: false, code: 190, httpStatus: 401 }],
			overloaded: Array.from({ length: 10 }, () => ({
				ok: false as const,
				code: 131016,
				httpStatus: 500,
			})),
			'marketing-limit': [{ ok: false, code: 131049, httpStatus: 400 }],
		};
		const { transport, common } = setup(
			(key, attempt) => script[key]?.[attempt - 1] ?? accepted(key),
			50,
		);
		const { results, summary } = await runDeliveries({
			jobs: Object.keys(script).map((key) => ({ key, payload: { key } })),
			...common,
		});
		const result = byKey(results);
		expect(result.get('server-error')).toMatchObject({ outcome: 'sent', attempts: 2 });
		expect(result.get('something-wrong')).toMatchObject({ outcome: 'sent', attempts: 3 });
		expect(result.get('network')).toMatchObject({ outcome: 'sent', attempts: 2 });
		expect(result.get('bad-param')).toMatchObject({
			outcome: 'failed',
			attempts: 1,
			code: 100,
			httpStatus: 400,
			details: 'Invalid parameter: to',
		});
		expect(result.get('bad-param')?.reason).toMatch(/parameter is invalid/);
		expect(result.get('token')).toMatchObject({ outcome: 'failed', attempts: 1, code: 190 });
		expect(result.get('overloaded')).toMatchObject({
			outcome: 'failed',
			attempts: 8,
			code: 131016,
		});
		const limited = result.get('marketing-limit') as JobResult;
		expect(limited).toMatchObject({ outcome: 'failed', attempts: 1, code: 131049 });
		const answeredAt = transport.sendsFor('marketing-limit')[0].at + 100;
		expect(Date.parse(limited.notBefore as string) - answeredAt).toBeGreaterThanOrEqual(
			24 * 3_600_000,
		);
		expect(transport.sendsFor('marketing-limit')).toHaveLength(1);
		expect(summary.byCode).toEqual({ 100: 1, 190: 1, 131016: 1, 131049: 1 });
		expect(summary.requests).toBe(2 + 3 + 2 + 1 + 1 + 8 + 1);
	});

	it('131056: that recipient waits 4^n s while the others go on', async () => {
		const { transport, common } = setup(
			(key, attempt) =>
				key === 'r0' && attempt <= 2 ? { ok: false, code: 131056, httpStatus: 400 } : accepted(key),
			20,
		);
		const { results } = await runDeliveries({ jobs: jobs(60), ...common });
		const [first, second, third] = transport.sendsFor('r0');
		expect(byKey(results).get('r0')).toMatchObject({ outcome: 'sent', attempts: 3 });
		expect(second.at - first.at).toBeGreaterThanOrEqual(100 + 4_000);
		expect(third.at - second.at).toBeGreaterThanOrEqual(100 + 16_000);
		// The 59 others (3 s at 20/s) did not wait for r0.
		const others = transport.log.filter((entry) => entry.key !== 'r0');
		expect(Math.max(...others.map((entry) => entry.at))).toBeLessThan(second.at);
		expect(results.filter((result) => result.outcome === 'sent')).toHaveLength(60);
	});

	it('130429: lowers the rate (AIMD) and resends until every job is accepted once', async () => {
		// Meta accepts 60 per second for this number; our cap says 100.
		const acceptedAt: number[] = [];
		const behaviour: Behaviour = (key, _attempt, at) => {
			while (acceptedAt.length && acceptedAt[0] <= at - 1_000) acceptedAt.shift();
			if (acceptedAt.length >= 60) return { ok: false, code: 130429, httpStatus: 400 };
			acceptedAt.push(at);
			return accepted(key);
		};
		const { transport, limiter, common } = setup(behaviour, 100);
		const rates: number[] = [];
		const { results, summary } = await runDeliveries({
			jobs: jobs(1_500),
			...common,
			onProgress: (progress) => rates.push(progress.rate),
			progressIntervalMs: 1_000,
		});
		expect(summary.counts.sent).toBe(1_500);
		expect(results.every((result) => result.outcome === 'sent')).toBe(true);
		const throttled = transport.log.length - 1_500;
		expect(throttled).toBeGreaterThan(0);
		// Without AIMD ~40 % of requests would bounce for the whole run.
		expect(throttled / transport.log.length).toBeLessThan(0.15);
		expect(Math.min(...rates)).toBeLessThan(70);
		expect(limiter.cap).toBe(100);
	});

	it('131057: holds all sending for the configured pause, then goes on', async () => {
		const policy = retryPolicy({
			byCode: { 131057: { action: 'pause-sending', pauseMs: 60_000, maxAttempts: 3 } },
		});
		const { transport, common } = setup(
			(key, attempt) =>
				key === 'r10' && attempt === 1
					? { ok: false, code: 131057, httpStatus: 500 }
					: accepted(key),
			20,
		);
		const { results } = await runDeliveries({ jobs: jobs(40), ...common, policy });
		const failedAt = transport.sendsFor('r10')[0].at + 100;
		const during = transport.log.filter(
			(entry) => entry.at > failedAt && entry.at < failedAt + 60_000,
		);
		expect(during).toHaveLength(0);
		expect(results.filter((result) => result.outcome === 'sent')).toHaveLength(40);
		expect(byKey(results).get('r10')).toMatchObject({ attempts: 2 });
	});

	it('132015: pauses the campaign, the rest is reported paused and stays resumable', async () => {
		const { transport, hooks, common } = setup(
			(key) => (key === 'r20' ? { ok: false, code: 132015, httpStatus: 400 } : accepted(key)),
			50,
		);
		const { results, summary } = await runDeliveries({ jobs: jobs(200), ...common });
		expect(summary.stoppedBy).toBe('paused');
		expect(summary.stopDetail).toMatch(/template is paused/);
		expect(results).toHaveLength(200);
		const result = byKey(results);
		expect(result.get('r20')).toMatchObject({ outcome: 'paused', code: 132015, attempts: 1 });
		const pausedAt = transport.sendsFor('r20')[0].at + 100;
		// Nothing new is sent after the 132015 answer; requests already in flight finish.
		expect(transport.log.filter((entry) => entry.at > pausedAt)).toHaveLength(0);
		const paused = results.filter((item) => item.outcome === 'paused');
		expect(paused.length).toBe(200 - summary.counts.sent);
		expect(paused.every((item) => /resumable/.test(item.reason as string))).toBe(true);
		expect(
			paused
				.filter((item) => item.key !== 'r20')
				.every((item) => item.attempts === 0 && item.code === 132015),
		).toBe(true);
		// Claimed jobs were settled once each (paused ones released by the store); unread ones were never claimed.
		expect(hooks.settled.map((item) => item.key).sort()).toEqual([...hooks.claims].sort());
		expect(hooks.claims.length).toBeLessThan(200);
	});

	it('pauses when shouldPause says so (quality RED)', async () => {
		const { clock, common } = setup(always, 50);
		const redAt = clock.now() + 2_000;
		const { results, summary } = await runDeliveries({
			jobs: jobs(300),
			...common,
			pauseCheckIntervalMs: 500,
			shouldPause: () =>
				clock.now() >= redAt ? "The phone number's quality rating is RED" : false,
		});
		expect(summary.stoppedBy).toBe('paused');
		expect(summary.counts.sent).toBeGreaterThan(50);
		expect(summary.counts.sent).toBeLessThan(200);
		expect(summary.counts.sent + summary.counts.paused).toBe(300);
		expect(results.find((item) => item.outcome === 'paused')?.reason).toMatch(
			/quality rating is RED/,
		);
	});

	it('sends nothing when the number is already RED at the start', async () => {
		const { transport, hooks, common } = setup(always, 50);
		const { results, summary } = await runDeliveries({
			jobs: jobs(30),
			...common,
			shouldPause: async () => "The phone number's quality rating is RED",
		});
		expect(summary).toMatchObject({ stoppedBy: 'paused', counts: { sent: 0, paused: 30 } });
		expect(results).toHaveLength(30);
		expect(transport.log).toHaveLength(0);
		expect(hooks.claims).toHaveLength(0);
	});

	it('a request without an answer becomes uncertain and is not resent', async () => {
		const { transport, common } = setup(
			(key) =>
				key === 'r3'
					? 'hang'
					: key === 'r4'
						? 'hang-ignoring-abort'
						: key === 'r5'
							? 'throw'
							: accepted(key),
			50,
		);
		const { results, summary } = await runDeliveries({
			jobs: jobs(20),
			...common,
			requestTimeoutMs: 2_000,
		});
		const result = byKey(results);
		for (const key of ['r3', 'r4', 'r5']) {
			expect(result.get(key)).toMatchObject({ outcome: 'uncertain', attempts: 1 });
			expect(transport.sendsFor(key)).toHaveLength(1);
		}
		expect(result.get('r4')?.details).toMatch(/No answer within 2000 ms/);
		expect(result.get('r5')?.details).toMatch(/socket hang up/);
		expect(summary.counts).toMatchObject({ sent: 17, uncertain: 3 });
	});

	it('abort mid-way: claimed jobs settle, unclaimed jobs stay untouched', async () => {
		const controller = new AbortController();
		let pulled = 0;
		const { transport, hooks, common } = setup((key) => {
			if (transport.log.length === 40) controller.abort();
			return accepted(key);
		}, 100);
		function* source() {
			for (const job of jobs(1_000)) {
				pulled++;
				yield job;
			}
		}
		const { results, summary } = await runDeliveries({
			jobs: source(),
			...common,
			signal: controller.signal,
		});
		expect(summary.stoppedBy).toBe('aborted');
		expect(transport.log).toHaveLength(40);
		expect(pulled).toBeLessThan(100);
		const claimed = new Set(hooks.claims);
		expect(hooks.settled.map((item) => item.key).sort()).toEqual([...claimed].sort());
		expect(results.every((item) => claimed.has(item.key))).toBe(true);
		expect(transport.log.every((entry) => claimed.has(entry.key))).toBe(true);
		expect(summary.counts.sent).toBe(transport.log.length);
		expect(summary.counts.paused).toBe(claimed.size - transport.log.length);
	});

	it('abort: nothing is sent after it, not even the rest of a batch of tokens already granted', async () => {
		const controller = new AbortController();
		let retried = 0;
		// Every first attempt fails with 500, so the retries come due together and take the burst in one batch.
		const { hooks, common } = setup((key, attempt) => {
			if (attempt === 1) return { ok: false, httpStatus: 500 };
			if (++retried === 2) controller.abort();
			return accepted(key);
		}, 100);
		const { summary } = await runDeliveries({
			jobs: jobs(5),
			...common,
			signal: controller.signal,
		});
		expect(retried).toBe(2);
		expect(summary).toMatchObject({ stoppedBy: 'aborted', counts: { sent: 2, paused: 3 } });
		expect(hooks.settled).toHaveLength(5);
	});

	it('skips what the store refuses (duplicates, already done) with its reason', async () => {
		const { transport, common } = setup(always, 50);
		const hooks = memoryHooks((key) =>
			key === 'done' ? 'Already sent in this campaign' : undefined,
		);
		const input = [
			...jobs(3),
			{ key: 'r1', payload: { key: 'r1' } },
			{ key: 'done', payload: { key: 'done' } },
		];
		const { results, summary } = await runDeliveries({ jobs: input, ...common, hooks });
		expect(summary.counts).toMatchObject({ sent: 3, skipped: 2 });
		expect(
			results
				.filter((item) => item.outcome === 'skipped')
				.map((item) => item.reason)
				.sort(),
		).toEqual(['Already sent in this campaign', 'Duplicate recipient: already in this campaign']);
		expect(transport.sendsFor('r1')).toHaveLength(1);
		expect(hooks.settled).toHaveLength(3);
	});

	it('streams the input through a bounded window', async () => {
		let pulled = 0;
		let decided = 0;
		let widest = 0;
		const { common } = setup(always, 1_000);
		async function* source() {
			for (const job of jobs(5_000)) {
				pulled++;
				widest = Math.max(widest, pulled - decided);
				yield job;
			}
		}
		const { summary } = await runDeliveries({
			jobs: source(),
			...common,
			collectResults: false,
			onResult: () => decided++,
		});
		expect(summary.counts.sent).toBe(5_000);
		// lookahead (100 at 1,000/s) + in flight (≤ 300 before latency is measured).
		expect(widest).toBeLessThanOrEqual(400);
	});

	it('reports progress: sent, remaining, rate, ETA', async () => {
		const { common } = setup(always, 100);
		const reports: DeliveryProgress[] = [];
		await runDeliveries({
			jobs: jobs(1_000),
			...common,
			onProgress: (progress) => reports.push(progress),
			progressIntervalMs: 2_000,
		});
		expect(reports.length).toBeGreaterThanOrEqual(4);
		const [first, second] = reports;
		expect(first.counts.sent).toBeGreaterThan(150);
		expect(second.counts.sent).toBeGreaterThan(first.counts.sent);
		expect(first.remaining).toBe(1_000 - first.counts.sent);
		expect(second.achievedRate).toBeCloseTo(100, -1);
		expect(second.rate).toBe(100);
		expect(second.etaMs).toBeCloseTo(
			((second.remaining as number) / second.achievedRate) * 1_000,
			-2,
		);
	});

	it('stops, without sending blind, when the store fails', async () => {
		const { transport, common } = setup(always, 50);
		const hooks = memoryHooks();
		let settles = 0;
		const failing = {
			claim: hooks.claim,
			settle: () => {
				if (++settles === 5) throw new Error('database is locked');
			},
		};
		const { summary } = await runDeliveries({ jobs: jobs(200), ...common, hooks: failing });
		expect(summary.stoppedBy).toBe('error');
		expect(summary.stopDetail).toMatch(
			/Saving a result in the store failed: Error: database is locked/,
		);
		expect(transport.log.length).toBeLessThan(40);
	});
});
