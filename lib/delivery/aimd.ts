/**
 * AIMD (additive increase, multiplicative decrease) of the sending rate, as pure functions of a tiny state,
 * so the in-process limiter and the Redis Lua script (redis-limiter.ts mirrors `aimdRate` / `aimdDecrease`
 * line by line) follow the same rules.
 *
 * On 130429 the rate drops to `rate × decreaseFactor` (never below `floor`). Responses to requests already in
 * flight arrive as a burst of 130429s, so further decreases within `cooldownMs` are ignored. After `quietMs`
 * without a decrease the rate grows by `increaseStep` every `increaseIntervalMs`, up to the cap.
 */

/** The AIMD tuning for one cap, every value resolved. */
export interface AimdOptions {
	/** The ceiling, messages/s: the number's throughput capped by the user's setting. */
	cap: number;
	floor: number;
	decreaseFactor: number;
	cooldownMs: number;
	quietMs: number;
	/** messages/s added per interval once quiet. */
	increaseStep: number;
	increaseIntervalMs: number;
}

/** Where the adaptive rate stands: the last decrease and when it happened. */
export interface AimdState {
	/** The rate set by the last decrease. */
	base: number;
	/** When the last decrease happened; -Infinity when never. */
	decreasedAt: number;
}

export type AimdSettings = Partial<Omit<AimdOptions, 'cap'>>;

/**
 * The AIMD settings for a cap, defaults filled in.
 *
 * @throws Error when the cap is not a positive number.
 */
export function aimdOptions(cap: number, settings: AimdSettings = {}): AimdOptions {
	if (!(cap > 0))
		throw new Error(`Rate cap must be a positive number of messages per second (got ${cap})`);
	const options: AimdOptions = {
		cap,
		floor: Math.min(cap, 1),
		decreaseFactor: 0.7,
		cooldownMs: 1_000,
		quietMs: 5_000,
		increaseStep: Math.max(1, cap * 0.05),
		increaseIntervalMs: 1_000,
		...settings,
	};
	if (!(options.decreaseFactor > 0 && options.decreaseFactor < 1)) {
		throw new Error(`AIMD decreaseFactor must be between 0 and 1 (got ${options.decreaseFactor})`);
	}
	if (!(options.floor > 0))
		throw new Error(`AIMD floor must be a positive rate (got ${options.floor})`);
	if (!(options.increaseIntervalMs > 0))
		throw new Error(`AIMD increaseIntervalMs must be positive (got ${options.increaseIntervalMs})`);
	return options;
}

/** The state before any 130429: the full cap. */
export const initialAimdState = (cap: number): AimdState => ({ base: cap, decreasedAt: -Infinity });

/** The allowed rate at `now`. */
export function aimdRate(state: AimdState, now: number, options: AimdOptions): number {
	const since = now - state.decreasedAt;
	if (since < options.quietMs) return Math.min(options.cap, state.base);
	const steps = 1 + Math.floor((since - options.quietMs) / options.increaseIntervalMs);
	return Math.min(options.cap, state.base + steps * options.increaseStep);
}

/** The state after a 130429 at `now` (unchanged within the cooldown of the previous decrease). */
export function aimdDecrease(state: AimdState, now: number, options: AimdOptions): AimdState {
	if (now - state.decreasedAt < options.cooldownMs) return state;
	return {
		base: Math.max(options.floor, aimdRate(state, now, options) * options.decreaseFactor),
		decreasedAt: now,
	};
}
