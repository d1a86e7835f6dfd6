/**
 * The campaign runner: streams prepared jobs through claim → token → send → retry/settle, at the limiter's
 * rate, with a bounded number of requests in flight, and returns one terminal result per job it read.
 *
 * Memory: jobs are pulled from the input lazily; only the claimed-ahead window (`lookahead`), the requests in
 * flight and the jobs waiting for a retry exist as runner objects. No promise or closure is kept per queued job.
 *
 * Stopping: a pause (132015 / 132016 / shouldPause) stops dispatching, lets requests in flight finish, settles
 * claimed-but-unsent jobs as `paused` (the store releases them) and reports every job left in the input as
 * `paused` without claiming it. An abort does the same for claimed jobs but leaves the rest of the input
 * unread and unclaimed. Requests in flight are never cut short by a pause or abort: cutting them would turn
 * them into `uncertain` results; they end within `requestTimeoutMs`.
 */
import { systemClock } from './clock';
import { defaultInFlightOptions, LatencyWindow, type InFlightOptions } from './concurrency';
import { Fifo } from './fifo';
import { MinHeap } from './min-heap';
import { decide, defaultRetryPolicy, reasonFor, type RetryPolicy } from './retry-policy';
import {
	noCounts,
	type DeliveryProgress,
	type DeliverySummary,
	type Clock,
	type DeliveryHooks,
	type Job,
	type JobResult,
	type RateLimiter,
	type SendFailed,
	type SendFunction,
	type SendResult,
	type StopReason,
} from './types';

/** A string pauses the campaign with that reason (e.g. "The number's quality rating is RED"). */
export type PauseVerdict = string | false | null | undefined;

/** The jobs to deliver, the transport, pacing, store hooks, and the runner's knobs. */
export interface DeliveryOptions<P> {
	jobs: Iterable<Job<P>> | AsyncIterable<Job<P>>;
	send: SendFunction<P>;
	limiter: RateLimiter;
	hooks: DeliveryHooks;
	policy?: RetryPolicy;
	concurrency?: Partial<InFlightOptions>;
	/** Per request; no answer by then → `uncertain`. Default 30 s; 0 disables. */
	requestTimeoutMs?: number;
	/** Number of jobs, for `remaining` and ETA (taken from `jobs.length` for arrays). */
	total?: number;
	/** How many jobs are claimed ahead of their token. Default 10 % of a second at the cap, 16..256. */
	lookahead?: number;
	/** Claims running at once. Default 16. */
	claimConcurrency?: number;
	onProgress?: (progress: DeliveryProgress) => void;
	/** Default 5 s. */
	progressIntervalMs?: number;
	shouldPause?: () => PauseVerdict | Promise<PauseVerdict>;
	/** How often shouldPause is asked (it may call the API). Default 30 s. */
	pauseCheckIntervalMs?: number;
	/** Called with each result as it is decided (stream them instead of collecting, see collectResults). */
	onResult?: (result: JobResult) => void;
	/** Keep results in the returned array. Default true. */
	collectResults?: boolean;
	signal?: AbortSignal;
	clock?: Clock;
	/** [0, 1) source for backoff jitter. */
	random?: () => number;
}

/** One result per job read (when collected) and the run's summary. */
export interface DeliveryReport {
	results: JobResult[];
	summary: DeliverySummary;
}

interface Entry<P> {
	job: Job<P>;
	attempts: number;
	readyAt: number;
	seq: number;
}

/**
 * Sends every job through hooks.claim → limiter.take → send → retry or hooks.settle (once per claimed job;
 * refused claims are `skipped`, never settled), and reports one result per job read. A failing hook, limiter
 * or input stops the run with `stoppedBy: 'error'` saying which, rather than rejecting.
 */
export function runDeliveries<P>(options: DeliveryOptions<P>): Promise<DeliveryReport> {
	return new DeliveryRun(options).run();
}

/** One runner pass: the queues, counters and stop state of its jobs, advanced by dispatch() and pump(). */
class DeliveryRun<P> {
	private readonly clock: Clock;
	private readonly policy: RetryPolicy;
	private readonly latency: LatencyWindow;
	private readonly iterator: AsyncIterator<Job<P>> | Iterator<Job<P>>;
	private readonly total?: number;
	private readonly lookahead: number;
	private readonly claimConcurrency: number;
	private readonly requestTimeoutMs: number;
	private readonly random: () => number;
	private readonly collect: boolean;

	private readonly results: JobResult[] = [];
	private readonly counts = noCounts();
	private readonly byCode: Record<string, number> = {};
	private readonly ready = new Fifo<Entry<P>>();
	private readonly due = new Fifo<Entry<P>>();
	private readonly retries = new MinHeap<Entry<P>>(
		(a, b) => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq),
	);
	private seq = 0;
	private decided = 0;
	private inFlight = 0;
	private claimsPending = 0;
	private settling = 0;
	private requests = 0;
	private pulling = false;
	private checkingPause = false;
	private sourceDone = false;
	/** A job read from the input after the campaign stopped: reported as paused when the stop is a pause. */
	private carried?: Job<P>;
	private rate: number;
	private pauseAllUntil = -Infinity;
	private stop?: { by: Exclude<StopReason, 'completed'>; detail: string; code?: number };
	private dirty = false;
	private wake?: () => void;
	private readonly startedAt: number;

	constructor(private readonly options: DeliveryOptions<P>) {
		this.clock = options.clock ?? systemClock;
		this.policy = options.policy ?? defaultRetryPolicy;
		this.latency = new LatencyWindow({ ...defaultInFlightOptions, ...options.concurrency });
		const jobs = options.jobs;
		this.iterator =
			Symbol.asyncIterator in jobs
				? (jobs as AsyncIterable<Job<P>>)[Symbol.asyncIterator]()
				: (jobs as Iterable<Job<P>>)[Symbol.iterator]();
		this.total = options.total ?? (Array.isArray(jobs) ? jobs.length : undefined);
		this.rate = options.limiter.cap;
		this.lookahead =
			options.lookahead ?? Math.min(256, Math.max(16, Math.ceil(options.limiter.cap / 10)));
		this.claimConcurrency = options.claimConcurrency ?? 16;
		this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
		this.random = options.random ?? Math.random;
		this.collect = options.collectResults ?? true;
		this.startedAt = this.clock.now();
	}

	async run(): Promise<DeliveryReport> {
		const signal = this.options.signal;
		const onAbort = () =>
			this.halt(
				'aborted',
				'The execution was cancelled: recipients not reached yet were left for the next run.',
			);
		if (signal?.aborted) onAbort();
		signal?.addEventListener('abort', onAbort);
		const progressStop = new AbortController();
		const progress = this.options.onProgress ? this.reportProgress(progressStop.signal) : undefined;
		try {
			await this.dispatch();
			await this.settleAll();
			if (this.stop) {
				for (const entry of [...this.ready.drain(), ...this.due.drain(), ...this.retries.drain()])
					void this.finish(this.pausedResult(entry));
				await this.settleAll();
				if (this.stop.by === 'paused') await this.reportUnread();
			}
		} finally {
			signal?.removeEventListener('abort', onAbort);
			progressStop.abort();
			await progress;
		}
		const durationMs = this.clock.now() - this.startedAt;
		return {
			results: this.results,
			summary: {
				counts: { ...this.counts },
				byCode: { ...this.byCode },
				requests: this.requests,
				durationMs,
				achievedRate: durationMs > 0 ? (this.counts.sent * 1000) / durationMs : 0,
				stoppedBy: this.stop?.by ?? 'completed',
				stopDetail: this.stop?.detail,
			},
		};
	}

	/** The loop that hands tokens to jobs: due retries first, then fresh claimed jobs. */
	private async dispatch(): Promise<void> {
		const { shouldPause, limiter } = this.options;
		const pauseCheckIntervalMs = this.options.pauseCheckIntervalMs ?? 30_000;
		let nextPauseCheck = this.clock.now() + pauseCheckIntervalMs;
		// The first check runs before any send; later ones in the background, so a slow API call does not stall pacing.
		if (shouldPause) await this.checkPause(shouldPause);
		for (;;) {
			this.dirty = false;
			if (this.stop) return;
			const now = this.clock.now();
			if (shouldPause && now >= nextPauseCheck && !this.checkingPause) {
				nextPauseCheck = now + pauseCheckIntervalMs;
				void this.checkPause(shouldPause);
			}
			if (now < this.pauseAllUntil) {
				await this.waitEvent(this.pauseAllUntil - now);
				continue;
			}
			while (this.retries.size > 0 && (this.retries.peek() as Entry<P>).readyAt <= now)
				this.due.push(this.retries.pop() as Entry<P>);
			const available = this.due.length + this.ready.length;
			if (available === 0) {
				if (this.finished()) return;
				void this.pump();
				await this.waitEvent(
					this.retries.size > 0 ? (this.retries.peek() as Entry<P>).readyAt - now : Infinity,
				);
				continue;
			}
			const free = this.latency.limit(this.rate) - this.inFlight;
			if (free <= 0) {
				await this.waitEvent(Infinity);
				continue;
			}
			const want = Math.min(free, available);
			let grant;
			try {
				grant = await limiter.take(want);
			} catch (error) {
				this.halt('error', `The rate limiter failed: ${errorText(error)}`);
				return;
			}
			this.rate = grant.rate;
			if (this.stop) return;
			for (let i = 0; i < grant.granted && !this.stop; i++) {
				const entry = this.due.shift() ?? this.ready.shift();
				if (!entry) break;
				void this.sendOne(entry);
			}
			void this.pump();
			if (grant.granted < want) await this.waitEvent(grant.waitMs);
		}
	}

	private async checkPause(shouldPause: () => PauseVerdict | Promise<PauseVerdict>): Promise<void> {
		this.checkingPause = true;
		try {
			const verdict = await shouldPause();
			if (verdict) this.halt('paused', verdict);
		} catch (error) {
			this.halt('error', `The pause check failed: ${errorText(error)}`);
		} finally {
			this.checkingPause = false;
		}
	}

	private finished(): boolean {
		return (
			this.sourceDone &&
			!this.pulling &&
			this.claimsPending === 0 &&
			this.inFlight === 0 &&
			this.settling === 0 &&
			this.retries.size === 0 &&
			this.due.length === 0 &&
			this.ready.length === 0
		);
	}

	/** Reads the input and claims jobs until `lookahead` are claimed or being claimed. */
	private async pump(): Promise<void> {
		const wanted = () =>
			!this.stop &&
			!this.sourceDone &&
			this.ready.length + this.claimsPending < this.lookahead &&
			this.claimsPending < this.claimConcurrency;
		// Return without notifying when there is nothing to read: a notify here would wake the dispatcher,
		// which calls pump again, a loop of microtasks that would starve timers and I/O.
		if (this.pulling || !wanted()) return;
		this.pulling = true;
		try {
			while (wanted()) {
				const step = await this.iterator.next();
				if (step.done) {
					this.sourceDone = true;
					break;
				}
				if (this.stop) {
					this.carried = step.value;
					break;
				}
				this.claim(step.value);
			}
		} catch (error) {
			this.halt('error', `Reading the recipients failed: ${errorText(error)}`);
		} finally {
			this.pulling = false;
			this.notify();
		}
	}

	private claim(job: Job<P>): void {
		this.claimsPending++;
		Promise.resolve()
			.then(() => this.options.hooks.claim(job.key))
			.then(
				(decision) => {
					const entry: Entry<P> = { job, attempts: 0, readyAt: 0, seq: this.seq++ };
					if (!decision.claimed)
						this.record({
							key: job.key,
							ref: job.ref,
							outcome: 'skipped',
							attempts: 0,
							code: decision.code,
							reason: decision.reason,
						});
					else if (this.stop) void this.finish(this.pausedResult(entry));
					else this.ready.push(entry);
				},
				(error) =>
					this.halt('error', `Claiming a recipient in the store failed: ${errorText(error)}`),
			)
			.finally(() => {
				this.claimsPending--;
				void this.pump();
				this.notify();
			});
	}

	private async sendOne(entry: Entry<P>): Promise<void> {
		this.inFlight++;
		this.requests++;
		entry.attempts++;
		const started = this.clock.now();
		let result: SendResult;
		try {
			result = await this.attempt(entry.job.payload);
		} catch (error) {
			// The transport is not supposed to throw; when it does we cannot tell whether Meta got the request.
			result = { ok: false, timedOut: true, details: errorText(error) };
		}
		const now = this.clock.now();
		this.latency.record(now - started);
		try {
			if (result.ok) await this.finish(this.sentResult(entry, result.wamid, result.messageStatus));
			else await this.failed(entry, result, now);
		} catch (error) {
			// Only a broken policy or callback gets here; the job's answer is known, so record it as failed.
			this.halt('error', `Handling an answer failed: ${errorText(error)}`);
			if (!result.ok)
				await this.finish({
					key: entry.job.key,
					ref: entry.job.ref,
					outcome: 'failed',
					attempts: entry.attempts,
					code: result.code,
					httpStatus: result.httpStatus,
					reason: reasonFor(result),
					details: result.details,
				});
		} finally {
			this.inFlight--;
			this.notify();
		}
	}

	/** One request, bounded by the timeout even if the transport ignores its abort signal. */
	private attempt(payload: P): Promise<SendResult> {
		const request = new AbortController();
		const sent = this.options.send(payload, request.signal);
		if (!(this.requestTimeoutMs > 0)) return sent;
		return new Promise<SendResult>((resolve, reject) => {
			const cancel = this.clock.timer(this.requestTimeoutMs, () => {
				const details = `No answer within ${this.requestTimeoutMs} ms`;
				request.abort(new Error(details));
				resolve({ ok: false, timedOut: true, details });
			});
			sent.then(
				(result) => {
					cancel();
					resolve(result);
				},
				(error: unknown) => {
					cancel();
					reject(error);
				},
			);
		});
	}

	private async failed(entry: Entry<P>, failure: SendFailed, now: number): Promise<void> {
		const decision = decide(failure, entry.attempts, this.policy, this.random);
		if (decision.kind === 'retry') {
			if (decision.throttle) {
				try {
					this.rate = await this.options.limiter.throttled();
				} catch (error) {
					this.halt('error', `The rate limiter failed: ${errorText(error)}`);
				}
			}
			if (decision.pauseAllMs)
				this.pauseAllUntil = Math.max(this.pauseAllUntil, now + decision.pauseAllMs);
			if (this.stop) return this.finish(this.pausedResult(entry));
			entry.readyAt = now + decision.delayMs;
			entry.seq = this.seq++;
			this.retries.push(entry);
			return;
		}
		if (decision.pauseCampaign) this.halt('paused', decision.reason, failure.code);
		await this.finish({
			key: entry.job.key,
			ref: entry.job.ref,
			outcome: decision.outcome,
			attempts: entry.attempts,
			code: failure.code,
			httpStatus: failure.httpStatus,
			reason: decision.outcome === 'paused' ? pausedReason(decision.reason) : decision.reason,
			details: failure.details,
			notBefore:
				decision.notBeforeMs === undefined
					? undefined
					: new Date(now + decision.notBeforeMs).toISOString(),
		});
	}

	/** Only defined fields, so 100,000 results stay small. */
	private sentResult(entry: Entry<P>, wamid: string, messageStatus?: string): JobResult {
		const result: JobResult = {
			key: entry.job.key,
			outcome: 'sent',
			attempts: entry.attempts,
			wamid,
		};
		if (entry.job.ref !== undefined) result.ref = entry.job.ref;
		if (messageStatus !== undefined) result.messageStatus = messageStatus;
		return result;
	}

	private pausedResult(entry: Entry<P> | Job<P>): JobResult {
		const job = 'job' in entry ? entry.job : entry;
		const stop = this.stop;
		return {
			key: job.key,
			ref: job.ref,
			outcome: 'paused',
			attempts: 'job' in entry ? entry.attempts : 0,
			code: stop?.code,
			reason: pausedReason(stop ? stop.detail : 'the campaign stopped'),
		};
	}

	/** Records a claimed job's result and settles it in the store (exactly once per claimed job). */
	private async finish(result: JobResult): Promise<void> {
		this.record(result);
		this.settling++;
		try {
			await this.options.hooks.settle(result);
		} catch (error) {
			// Without a recorded result a rerun could send twice: stop rather than carry on blind.
			this.halt('error', `Saving a result in the store failed: ${errorText(error)}`);
		} finally {
			this.settling--;
			this.notify();
		}
	}

	private record(result: JobResult): void {
		this.decided++;
		this.counts[result.outcome]++;
		if (result.code !== undefined && result.outcome !== 'sent')
			this.byCode[result.code] = (this.byCode[result.code] ?? 0) + 1;
		if (this.collect) this.results.push(result);
		try {
			this.options.onResult?.(result);
		} catch (error) {
			this.halt('error', `The onResult callback failed: ${errorText(error)}`);
		}
	}

	/** After a pause: every job still in the input is reported as not sent, without claiming it. */
	private async reportUnread(): Promise<void> {
		if (this.carried) this.record(this.pausedResult(this.carried));
		this.carried = undefined;
		try {
			while (!this.sourceDone) {
				const step = await this.iterator.next();
				if (step.done) this.sourceDone = true;
				else this.record(this.pausedResult(step.value));
			}
		} catch (error) {
			this.stop = { by: 'error', detail: `Reading the recipients failed: ${errorText(error)}` };
		}
	}

	private async settleAll(): Promise<void> {
		while (this.inFlight > 0 || this.claimsPending > 0 || this.settling > 0 || this.pulling)
			await this.waitEvent(Infinity);
	}

	private halt(by: Exclude<StopReason, 'completed'>, detail: string, code?: number): void {
		if (!this.stop) this.stop = { by, detail, code };
		this.notify();
	}

	private notify(): void {
		this.dirty = true;
		this.wake?.();
	}

	/** Waits for the next state change (completion, claim, stop) or `ms`, whichever comes first. */
	private waitEvent(ms: number): Promise<void> {
		if (this.dirty) {
			this.dirty = false;
			return Promise.resolve();
		}
		return new Promise<void>((resolve) => {
			let cancel: (() => void) | undefined;
			const done = () => {
				if (this.wake === done) this.wake = undefined;
				this.dirty = false;
				cancel?.();
				resolve();
			};
			this.wake = done;
			if (Number.isFinite(ms)) cancel = this.clock.timer(Math.max(0, ms), done);
		});
	}

	private async reportProgress(stop: AbortSignal): Promise<void> {
		const interval = this.options.progressIntervalMs ?? 5_000;
		let lastSent = 0;
		let lastAt = this.startedAt;
		for (;;) {
			await this.clock.sleep(interval, stop);
			if (stop.aborted) return;
			const now = this.clock.now();
			const recentRate = now > lastAt ? ((this.counts.sent - lastSent) * 1000) / (now - lastAt) : 0;
			lastSent = this.counts.sent;
			lastAt = now;
			const remaining =
				this.total === undefined ? undefined : Math.max(0, this.total - this.decided);
			try {
				this.options.onProgress?.({
					counts: { ...this.counts },
					remaining,
					inFlight: this.inFlight,
					retrying: this.retries.size + this.due.length,
					rate: this.rate,
					achievedRate: recentRate,
					etaMs:
						remaining !== undefined && recentRate > 0
							? Math.round((remaining * 1000) / recentRate)
							: undefined,
					elapsedMs: now - this.startedAt,
				});
			} catch {
				// A failing progress logger must not stop a campaign that is spending money correctly.
			}
		}
	}
}

const pausedReason = (why: string) =>
	`Not sent, resumable: run the campaign again to send it. Stopped because: ${why}`;

/** A thrown value as one short line (never the request: it may carry the access token). */
function errorText(error: unknown): string {
	const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
	return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
