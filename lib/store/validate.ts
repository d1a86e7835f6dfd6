/** Argument checks shared by both backends, so both reject the same calls with the same messages. */
import { RECIPIENT_STATES, isDeliveryStatus } from './merge-rules';
import type { ClaimOptions, RecipientState, ResultInput, StatusInput } from './types';

/**
 * A non-empty string ID.
 *
 * @throws TypeError naming the argument otherwise.
 */
export function requireId(value: unknown, name: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new TypeError(
			`${name} must be a non-empty string (got ${value === '' ? 'an empty string' : typeof value})`,
		);
	}
	return value;
}

/**
 * Finite epoch milliseconds.
 *
 * @throws TypeError naming the argument otherwise.
 */
export function requireTime(value: unknown, name: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value))
		throw new TypeError(`${name} must be epoch milliseconds (got ${String(value)})`);
	return value;
}

/** @throws TypeError for a state the store does not know. */
export function checkStates(states: readonly RecipientState[] | undefined, name: string): void {
	for (const state of states ?? []) {
		if (!RECIPIENT_STATES.includes(state))
			throw new TypeError(
				`${name}: unknown recipient state "${String(state)}" (use ${RECIPIENT_STATES.join(', ')})`,
			);
	}
}

/** @throws TypeError for reclaim options the store cannot honour. */
export function checkClaimOptions(options: ClaimOptions): void {
	checkStates(options.reclaim?.states, 'reclaim.states');
	if (options.reclaim?.states?.includes('claimed')) {
		throw new TypeError(
			'reclaim.states cannot contain "claimed": use reclaim.claimedBefore to take over stale claims',
		);
	}
	if (options.reclaim?.claimedBefore !== undefined)
		requireTime(options.reclaim.claimedBefore, 'reclaim.claimedBefore');
}

/** @throws TypeError for a result without an ID or with a state a result cannot have. */
export function checkResult(result: ResultInput): void {
	requireId(result.recipientId, 'recipientId');
	if (result.state === ('claimed' as string) || !RECIPIENT_STATES.includes(result.state)) {
		throw new TypeError(
			`result state must be one of sent, failed, skipped, uncertain, paused (got "${String(result.state)}")`,
		);
	}
}

/** @throws TypeError for a status without a wamid or with an unknown status. */
export function checkStatus(input: StatusInput): void {
	requireId(input.wamid, 'wamid');
	if (!isDeliveryStatus(input.status))
		throw new TypeError(
			`status must be sent, delivered, read, played or failed (got "${String(input.status)}")`,
		);
	requireTime(input.at, 'at');
}

/**
 * A positive TTL in seconds.
 *
 * @throws TypeError otherwise.
 */
export function checkTtl(ttlSeconds: number): number {
	if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
		throw new TypeError(`ttlSeconds must be a positive number (got ${String(ttlSeconds)})`);
	}
	return ttlSeconds;
}
