/**
 * Group commit: callers add one item each and await its result; items that arrive while the store is busy (or
 * within the same turn of the event loop) are written together in one transaction / pipeline. At 1,000 sends
 * per second this turns thousands of tiny store writes into tens of batches, without delaying any one caller
 * by more than one write.
 */
export class GroupCommit<T, R> {
	private items: T[] = [];
	private waiters: Array<{ resolve: (value: R) => void; reject: (error: unknown) => void }> = [];
	private scheduled = false;
	private running = false;

	constructor(
		private readonly write: (items: T[]) => Promise<R[]>,
		private readonly maxBatch = 500,
	) {}

	add(item: T): Promise<R> {
		return new Promise<R>((resolve, reject) => {
			this.items.push(item);
			this.waiters.push({ resolve, reject });
			this.schedule();
		});
	}

	/** Items waiting or being written */
	get pending(): number {
		return this.items.length;
	}

	private schedule(): void {
		if (this.scheduled || this.running) return;
		this.scheduled = true;
		setImmediate(() => {
			this.scheduled = false;
			void this.flush();
		});
	}

	private async flush(): Promise<void> {
		if (this.running || this.items.length === 0) return;
		this.running = true;
		const items = this.items.splice(0, this.maxBatch);
		const waiters = this.waiters.splice(0, items.length);
		try {
			const results = await this.write(items);
			for (let i = 0; i < waiters.length; i++) waiters[i].resolve(results[i]);
		} catch (error) {
			for (const waiter of waiters) waiter.reject(error);
		} finally {
			this.running = false;
			if (this.items.length > 0) this.schedule();
		}
	}
}
