import Redis from 'ioredis';
import type { Clock, DeliveryHooks, JobResult, SendResult } from '../../lib/delivery';

/** Most events inside any window [t, t + windowMs] (times need not be sorted). */
export function maxInWindow(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let best = 0;
	let end = 0;
	for (let start = 0; start < sorted.length; start++) {
		while (end < sorted.length && sorted[end] <= sorted[start] + windowMs) end++;
		best = Math.max(best, end - start);
	}
	return best;
}

/** A clock the test moves by hand. */
export function manualClock(
	start = 1_000_000,
): Clock & { set(ms: number): void; advance(ms: number): void } {
	let now = start;
	return {
		now: () => now,
		sleep: async () => undefined,
		// Like sleep, a timer is due at once: time moves only by hand.
		timer: (_ms, fire) => {
			let cancelled = false;
			queueMicrotask(() => {
				if (!cancelled) fire();
			});
			return () => {
				cancelled = true;
			};
		},
		set: (ms) => {
			now = ms;
		},
		advance: (ms) => {
			now += ms;
		},
	};
}

/** In-memory claims with the store's semantics: insert-if-absent, one settle per claim. */
export function memoryHooks(
	refuse: (key: string) => string | undefined = () => undefined,
): DeliveryHooks & { claims: string[]; settled: JobResult[] } {
	const claimed = new Set<string>();
	const claims: string[] = [];
	const settled: JobResult[] = [];
	return {
		claims,
		settled,
		claim(key) {
			const refused = refuse(key);
			if (refused) return { claimed: false, reason: refused };
			if (claimed.has(key))
				return { claimed: false, reason: 'Duplicate recipient: already in this campaign' };
			claimed.add(key);
			claims.push(key);
			return { claimed: true };
		},
		settle(result) {
			settled.push(result);
		},
	};
}

export type Behaviour = (
	key: string,
	attempt: number,
	at: number,
) => SendResult | 'hang' | 'hang-ignoring-abort' | 'throw';

export interface SendRecord {
	key: string;
	attempt: number;
	at: number;
	inFlight: number;
}

/** A transport in virtual time: answers after `latencyMs` on the given clock, as `behaviour` says. */
export function fakeTransport(clock: Clock, behaviour: Behaviour, latencyMs = 100) {
	const log: SendRecord[] = [];
	const attempts = new Map<string, number>();
	let inFlight = 0;
	const send = async (payload: { key: string }, signal: AbortSignal): Promise<SendResult> => {
		const attempt = (attempts.get(payload.key) ?? 0) + 1;
		attempts.set(payload.key, attempt);
		inFlight++;
		log.push({ key: payload.key, attempt, at: clock.now(), inFlight });
		try {
			const outcome = behaviour(payload.key, attempt, clock.now());
			if (outcome === 'hang-ignoring-abort') return await new Promise<never>(() => undefined);
			if (outcome === 'hang') {
				await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
				return { ok: false, timedOut: true };
			}
			await clock.sleep(latencyMs);
			if (outcome === 'throw') throw new Error('socket hang up');
			return outcome;
		} finally {
			inFlight--;
		}
	};
	return { send, log, sendsFor: (key: string) => log.filter((entry) => entry.key === key) };
}

export const accepted = (key: string): SendResult => ({ ok: true, wamid: `wamid.${key}` });

export function jobs(
	count: number,
	prefix = 'r',
): Array<{ key: string; payload: { key: string }; ref: number }> {
	return Array.from({ length: count }, (_, index) => ({
		key: `${prefix}${index}`,
		payload: { key: `${prefix}${index}` },
		ref: index,
	}));
}

export function testRedis(): Redis {
	const port = Number(process.env.TEST_REDIS_PORT);
	if (!port)
		throw new Error(
			'TEST_REDIS_PORT is not set: run the tests through jest (globalSetup starts redis-server)',
		);
	return new Redis({
		host: process.env.TEST_REDIS_HOST ?? '127.0.0.1',
		port,
		password: process.env.TEST_REDIS_PASSWORD,
		lazyConnect: false,
		maxRetriesPerRequest: 1,
	});
}
