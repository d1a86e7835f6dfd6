import { MinHeap } from './min-heap';
import type { Clock } from './types';

/** Wall-clock milliseconds that never go backwards (performance.now), so pacing survives NTP adjustments. */
export const systemClock: Clock = {
	now: () => performance.timeOrigin + performance.now(),
	sleep: (ms, signal) =>
		new Promise<void>((resolve) => {
			if (signal?.aborted) return resolve();
			const done = () => {
				clearTimeout(timer);
				signal?.removeEventListener('abort', done);
				resolve();
			};
			const timer = setTimeout(done, Math.max(0, ms));
			signal?.addEventListener('abort', done, { once: true });
		}),
	timer: (ms, fire) => {
		const timer = setTimeout(fire, Math.max(0, ms));
		return () => clearTimeout(timer);
	},
};

interface VirtualTimer {
	at: number;
	seq: number;
	resolve: () => void;
	done: boolean;
}

/**
 * Virtual time for deterministic tests and dry rehearsals: time only moves when every pending promise chain
 * has settled (checked with setImmediate), then jumps to the earliest sleeper. Code that waits on real I/O
 * must not share it, or time would run ahead of that I/O.
 */
export class VirtualClock implements Clock {
	private current: number;
	private seq = 0;
	private scheduled = false;
	private cancelled = 0;
	private readonly timers = new MinHeap<VirtualTimer>(
		(a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq),
	);

	constructor(start = Date.UTC(2026, 0, 1)) {
		this.current = start;
	}

	now(): number {
		return this.current;
	}

	sleep(ms: number, signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) return Promise.resolve();
		return new Promise<void>((resolve) => {
			const onAbort = () => {
				cancel();
				resolve();
			};
			const cancel = this.timer(ms, () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			});
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	timer(ms: number, fire: () => void): () => void {
		const timer: VirtualTimer = {
			at: this.current + Math.max(0, ms),
			seq: this.seq++,
			resolve: () => {
				if (timer.done) return;
				timer.done = true;
				fire();
			},
			done: false,
		};
		this.timers.push(timer);
		this.schedule();
		return () => {
			if (timer.done) return;
			timer.done = true;
			this.forget();
		};
	}

	/** Cancelled timers stay in the heap until popped; rebuild it when they dominate, so memory follows live timers. */
	private forget(): void {
		if (++this.cancelled < 1024 || this.cancelled * 2 < this.timers.size) return;
		for (const timer of this.timers.drain()) if (!timer.done) this.timers.push(timer);
		this.cancelled = 0;
	}

	private schedule(): void {
		if (this.scheduled) return;
		this.scheduled = true;
		setImmediate(() => this.advance());
	}

	private advance(): void {
		this.scheduled = false;
		let timer = this.timers.pop();
		while (timer && timer.done) {
			this.cancelled = Math.max(0, this.cancelled - 1);
			timer = this.timers.pop();
		}
		if (!timer) return;
		this.current = Math.max(this.current, timer.at);
		timer.resolve();
		if (this.timers.size > 0) this.schedule();
	}
}
