/**
 * Webhook delivery, as Meta does it: events become due at a time (status delays, simulated lateness),
 * each due change goes in its own POST (Meta's usual shape), or with webhookBatchSize > 1 up to that many
 * `changes` in one POST (Meta may batch up to 1,000), each POST
 * is signed with X-Hub-Signature-256 over its raw bytes, and a receiver answering non-2xx gets the same
 * bytes again with exponential backoff. Fault knobs duplicate and shuffle deliveries.
 *
 * One timer serves every pending event (a min-heap by due time), so thousands of messages per second
 * cost one timer, not three each.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

import type { WebhookChange } from './events';
import type { SandboxFaults, SandboxSettings } from './options';
import { shuffle, type Random } from './random';
import { webhookBody } from './webhook-body';

export interface WebhookTarget {
	url: string;
	/** Meta signs with the app secret; 360dialog sends custom headers instead */
	sign: boolean;
	headers?: Record<string, string>;
}

export interface DeliveryRecord {
	/** Same number for every attempt (and duplicate) of one POST body */
	batch: number;
	url: string;
	attempt: number;
	duplicate: boolean;
	changes: number;
	/** HTTP status, or 0 when the receiver could not be reached or timed out */
	status: number;
	error?: string;
	at: Date;
}

/** Builds the change when it becomes due; `deliver` is false when no receiver is configured. */
export type ChangeBuilder = (deliver: boolean) => WebhookChange | null;

interface Pending {
	due: number;
	seq: number;
	build: ChangeBuilder;
}

interface Attempt {
	batch: number;
	target: WebhookTarget;
	body: Buffer;
	changes: number;
	attempt: number;
	duplicate: boolean;
}

interface OutboxDeps {
	targets(): WebhookTarget[];
	appSecret: string;
	wabaId: string;
	settings(): SandboxSettings;
	faults(): SandboxFaults;
	random: Random;
}

const MAX_RECORDS = 20_000;

export class WebhookOutbox {
	private heap: Pending[] = [];
	private seq = 0;
	private ready: WebhookChange[] = [];
	private timer: NodeJS.Timeout | undefined;
	private timerDue = Infinity;
	private inFlight = 0;
	private readonly retries = new Map<NodeJS.Timeout, Attempt>();
	private idleWaiters: Array<() => void> = [];
	private flushWaiters: Array<() => void> = [];
	private flushing = 0;
	/** Bumped by clear(), so answers to POSTs sent before a reset are not retried */
	private generation = 0;
	private batchCounter = 0;
	private records: DeliveryRecord[] = [];
	private readonly agents = {
		http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
		https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
	};
	private closed = false;
	/** fire() re-arms the timer once at its end, not on every event scheduled while it runs */
	private firing = false;

	constructor(private readonly deps: OutboxDeps) {}

	/** Queues an event that becomes due at `due` (epoch ms). */
	schedule(due: number, build: ChangeBuilder): void {
		if (this.closed) return;
		const item: Pending = { due, seq: this.seq++, build };
		this.push(item);
		if (due < this.timerDue && !this.firing) this.arm();
	}

	/** Delivery attempts, oldest first (the latest 20,000) */
	deliveries(): DeliveryRecord[] {
		return this.records.slice();
	}

	pending(): { scheduled: number; ready: number; inFlight: number; retrying: number } {
		return {
			scheduled: this.heap.length,
			ready: this.ready.length,
			inFlight: this.inFlight,
			retrying: this.retries.size,
		};
	}

	/** Resolves once nothing is scheduled, queued, in flight or waiting for a retry. */
	idle(): Promise<void> {
		if (this.isIdle()) return Promise.resolve();
		return new Promise((resolve) => this.idleWaiters.push(resolve));
	}

	/** Makes every scheduled event and pending retry due now, and resolves when all are delivered or given up. */
	async flush(): Promise<void> {
		this.flushing++;
		try {
			while (!this.isIdle()) {
				this.fire(Infinity);
				for (const [timer, attempt] of this.retries) {
					clearTimeout(timer);
					this.retries.delete(timer);
					this.post(attempt);
				}
				await new Promise<void>((resolve) => {
					if (this.inFlight === 0) setImmediate(resolve);
					else this.flushWaiters.push(resolve);
				});
			}
		} finally {
			this.flushing--;
		}
	}

	/** Drops everything pending (reset); POSTs already in flight finish. */
	clear(): void {
		this.heap = [];
		this.ready = [];
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.timerDue = Infinity;
		for (const timer of this.retries.keys()) clearTimeout(timer);
		this.retries.clear();
		this.records = [];
		this.generation++;
		this.settle();
	}

	close(): void {
		this.clear();
		this.closed = true;
		this.agents.http.destroy();
		this.agents.https.destroy();
		for (const resolve of this.idleWaiters.splice(0)) resolve();
		for (const resolve of this.flushWaiters.splice(0)) resolve();
	}

	private isIdle(): boolean {
		return (
			this.heap.length === 0 &&
			this.ready.length === 0 &&
			this.inFlight === 0 &&
			this.retries.size === 0
		);
	}

	private settle(): void {
		if (this.inFlight === 0) for (const resolve of this.flushWaiters.splice(0)) resolve();
		if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
	}

	private arm(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.timerDue = Infinity;
		if (this.heap.length === 0) return;
		const due = this.heap[0].due;
		this.timerDue = due;
		this.timer = setTimeout(
			() => {
				this.timer = undefined;
				this.timerDue = Infinity;
				this.fire(Date.now());
			},
			Math.max(0, due - Date.now()),
		);
		this.timer.unref();
	}

	private fire(now: number): void {
		const deliver = this.deps.targets().length > 0;
		this.firing = true;
		try {
			while (this.heap.length > 0 && this.heap[0].due <= now) {
				const change = this.pop().build(deliver);
				if (change && deliver) this.ready.push(change);
			}
		} finally {
			this.firing = false;
		}
		this.arm();
		this.pump();
		this.settle();
	}

	private pump(): void {
		const settings = this.deps.settings();
		const targets = this.deps.targets();
		if (targets.length === 0) this.ready = [];
		while (this.ready.length > 0 && this.inFlight < settings.webhookConcurrency) {
			const changes = this.ready.splice(0, settings.webhookBatchSize);
			if (this.deps.faults().reorderWebhooks) shuffle(changes, this.deps.random);
			const body = webhookBody(this.deps.wabaId, changes);
			const batch = ++this.batchCounter;
			for (const target of targets) {
				this.post({ batch, target, body, changes: changes.length, attempt: 1, duplicate: false });
			}
		}
	}

	private post(attempt: Attempt): void {
		this.inFlight++;
		const generation = this.generation;
		const { target, body } = attempt;
		const headers: Record<string, string | number> = {
			'content-type': 'application/json',
			'content-length': body.length,
			'user-agent': 'facebookexternalua',
			...target.headers,
		};
		if (target.sign) {
			headers['x-hub-signature-256'] =
				`sha256=${createHmac('sha256', this.deps.appSecret).update(body).digest('hex')}`;
		}
		let finished = false;
		const done = (status: number, error?: string) => {
			if (finished) return;
			finished = true;
			this.inFlight--;
			if (generation === this.generation) {
				this.record({ ...attempt, status, error });
				if (status < 200 || status >= 300) this.retry(attempt);
				else if (
					!attempt.duplicate &&
					attempt.attempt === 1 &&
					this.deps.random() < this.deps.faults().duplicateWebhookRate
				) {
					this.post({ ...attempt, duplicate: true });
				}
			}
			this.pump();
			this.settle();
		};
		let request: http.ClientRequest;
		try {
			const url = new URL(target.url);
			const client = url.protocol === 'https:' ? https : http;
			request = client.request(url, {
				method: 'POST',
				headers,
				agent: url.protocol === 'https:' ? this.agents.https : this.agents.http,
				timeout: this.deps.settings().webhookTimeoutMs,
			});
		} catch (error) {
			done(0, `cannot post to the webhook URL: ${error.message}`);
			return;
		}
		request.on('response', (response) => {
			response.resume();
			response.on('end', () => done(response.statusCode ?? 0));
			response.on('error', (error) => done(0, error.message));
		});
		request.on('timeout', () => {
			request.destroy(new Error(`no answer within ${this.deps.settings().webhookTimeoutMs} ms`));
		});
		request.on('error', (error) => done(0, error.message));
		request.end(body);
	}

	private retry(attempt: Attempt): void {
		const policy = this.deps.faults().webhookRetry;
		if (attempt.attempt >= policy.maxAttempts || this.closed) return;
		const next: Attempt = { ...attempt, attempt: attempt.attempt + 1 };
		if (this.flushing > 0) {
			this.post(next);
			return;
		}
		const delay = policy.initialDelayMs * policy.factor ** (attempt.attempt - 1);
		const timer = setTimeout(() => {
			this.retries.delete(timer);
			this.post(next);
		}, delay);
		timer.unref();
		this.retries.set(timer, next);
	}

	private record(attempt: Attempt & { status: number; error?: string }): void {
		if (this.records.length >= MAX_RECORDS) this.records.splice(0, MAX_RECORDS / 2);
		this.records.push({
			batch: attempt.batch,
			url: attempt.target.url,
			attempt: attempt.attempt,
			duplicate: attempt.duplicate,
			changes: attempt.changes,
			status: attempt.status,
			error: attempt.error,
			at: new Date(),
		});
	}

	// Binary min-heap on (due, seq): seq keeps events that are due together in scheduling order.
	private less(a: Pending, b: Pending): boolean {
		return a.due < b.due || (a.due === b.due && a.seq < b.seq);
	}

	private push(item: Pending): void {
		const heap = this.heap;
		heap.push(item);
		let index = heap.length - 1;
		while (index > 0) {
			const parent = (index - 1) >> 1;
			if (!this.less(heap[index], heap[parent])) break;
			[heap[index], heap[parent]] = [heap[parent], heap[index]];
			index = parent;
		}
	}

	private pop(): Pending {
		const heap = this.heap;
		const top = heap[0];
		const last = heap.pop()!;
		if (heap.length > 0) {
			heap[0] = last;
			let index = 0;
			for (;;) {
				const left = 2 * index + 1;
				const right = left + 1;
				let smallest = index;
				if (left < heap.length && this.less(heap[left], heap[smallest])) smallest = left;
				if (right < heap.length && this.less(heap[right], heap[smallest])) smallest = right;
				if (smallest === index) break;
				[heap[index], heap[smallest]] = [heap[smallest], heap[index]];
				index = smallest;
			}
		}
		return top;
	}
}

/** A random challenge for the subscription handshake */
export function challenge(): string {
	return randomBytes(8).toString('hex');
}
