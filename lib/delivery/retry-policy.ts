/**
 * What to do after a failed send, as data: rules by Meta code first, then by the catalogue's retry class
 * (lib/cloud-api/errors.ts). `decide` turns a failure and the attempt count into one decision for the runner.
 */
import { describeError, type RetryClass } from '../cloud-api/errors';
import type { SendFailed } from './types';

export type RetryRule =
	/** Exponential backoff with full jitter: wait random(0, min(capMs, baseMs × 2^(attempt-1))). */
	| { action: 'backoff'; baseMs: number; capMs: number; maxAttempts: number }
	/** Pair rate (131056): only this recipient waits baseMs × factor^attempt (4^n s) while others continue. */
	| { action: 'recipient-wait'; baseMs: number; factor: number; maxAttempts: number }
	/** Throughput (130429): lower the shared rate (AIMD) and send again when paced. */
	| { action: 'throttle'; maxAttempts: number }
	/** Maintenance (131057): hold all sending for pauseMs, then retry. */
	| { action: 'pause-sending'; pauseMs: number; maxAttempts: number }
	/** Template paused / disabled (132015 / 132016), spam limit: stop the campaign, the rest stays resumable. */
	| { action: 'pause-campaign' }
	/** Never retried. `notBeforeMs`: the recipient must not be sent to again before this long (131049: 24 h). */
	| { action: 'terminal'; notBeforeMs?: number }
	/** The request may have reached Meta: not resent blindly (the store settles it from a status webhook). */
	| { action: 'uncertain' };

/** What to do with each failure (by Meta code, by retry class, no answer, never sent), as data. */
export interface RetryPolicy {
	byCode: Record<number, RetryRule>;
	byClass: Record<RetryClass, RetryRule>;
	/** No answer (timeout, connection lost after the request was written). */
	noAnswer: RetryRule;
	/** The request never left (DNS, connection refused): safe to retry. */
	notSent: RetryRule;
}

const transient: RetryRule = { action: 'backoff', baseMs: 500, capMs: 30_000, maxAttempts: 8 };

export const defaultRetryPolicy: RetryPolicy = {
	byCode: {
		130429: { action: 'throttle', maxAttempts: 10 },
		131056: { action: 'recipient-wait', baseMs: 1_000, factor: 4, maxAttempts: 4 },
		131057: { action: 'pause-sending', pauseMs: 120_000, maxAttempts: 5 },
		131049: { action: 'terminal', notBeforeMs: describeError(131049).waitMs },
		132015: { action: 'pause-campaign' },
		132016: { action: 'pause-campaign' },
		// Spam rate limit: carrying on would lower the number's quality further.
		131048: { action: 'pause-campaign' },
		// Flow throttled: Meta asks for about an hour.
		132069: { action: 'terminal', notBeforeMs: describeError(132069).waitMs },
	},
	byClass: {
		// 5xx without a known code, 131000, 131016, 2, 4, 80007 (the catalogue classes them 'retry').
		retry: transient,
		wait: { action: 'backoff', baseMs: 5_000, capMs: 300_000, maxAttempts: 4 },
		'fix-input': { action: 'terminal' },
		stop: { action: 'terminal' },
	},
	noAnswer: { action: 'uncertain' },
	notSent: transient,
};

/** A policy with some rules replaced (tests and power users); unspecified rules keep the defaults. */
export function retryPolicy(
	overrides: {
		byCode?: Record<number, RetryRule>;
		byClass?: Partial<Record<RetryClass, RetryRule>>;
		noAnswer?: RetryRule;
		notSent?: RetryRule;
	} = {},
): RetryPolicy {
	return {
		byCode: { ...defaultRetryPolicy.byCode, ...overrides.byCode },
		byClass: { ...defaultRetryPolicy.byClass, ...overrides.byClass },
		noAnswer: overrides.noAnswer ?? defaultRetryPolicy.noAnswer,
		notSent: overrides.notSent ?? defaultRetryPolicy.notSent,
	};
}

export type RetryDecision =
	| {
			kind: 'retry';
			delayMs: number;
			/** Report 130429 to the limiter. */
			throttle?: boolean;
			/** Hold all sending this long. */
			pauseAllMs?: number;
	  }
	| {
			kind: 'final';
			outcome: 'failed' | 'uncertain' | 'paused';
			/** Stop the campaign: remaining recipients become `paused`. */
			pauseCampaign?: boolean;
			notBeforeMs?: number;
			reason: string;
	  };

/** The rule for a failure: no answer, never sent, its code's own rule, or its retry class's. */
export function ruleFor(failure: SendFailed, policy: RetryPolicy): RetryRule {
	if (failure.timedOut) return policy.noAnswer;
	if (failure.code === undefined && failure.httpStatus === undefined) return policy.notSent;
	if (failure.code !== undefined && policy.byCode[failure.code]) return policy.byCode[failure.code];
	return policy.byClass[describeError(failure.code, failure.httpStatus).retry];
}

/** The user-facing line for a failure. */
export function reasonFor(failure: SendFailed): string {
	if (failure.timedOut)
		return 'No answer from the API (timeout or connection lost): the message may have been sent, so it is not resent blindly (settled by its status webhook).';
	if (failure.code === undefined && failure.httpStatus === undefined)
		return 'The API could not be reached (network error): check the base URL and the connection.';
	return describeError(failure.code, failure.httpStatus).message;
}

/**
 * `attempts` counts the sends made so far for this job, including the one that just failed.
 * `random` returns [0, 1) and is injected so tests can check the jitter bounds.
 */
export function decide(
	failure: SendFailed,
	attempts: number,
	policy: RetryPolicy,
	random: () => number = Math.random,
): RetryDecision {
	const rule = ruleFor(failure, policy);
	const reason = reasonFor(failure);
	const exhausted = (maxAttempts: number): RetryDecision | undefined =>
		attempts >= maxAttempts
			? {
					kind: 'final',
					outcome: 'failed',
					reason: `${reason} (gave up after ${attempts} attempts)`,
				}
			: undefined;
	switch (rule.action) {
		case 'backoff':
			return (
				exhausted(rule.maxAttempts) ?? {
					kind: 'retry',
					delayMs: Math.floor(random() * Math.min(rule.capMs, rule.baseMs * 2 ** (attempts - 1))),
				}
			);
		case 'recipient-wait':
			return (
				exhausted(rule.maxAttempts) ?? {
					kind: 'retry',
					delayMs: rule.baseMs * rule.factor ** attempts,
				}
			);
		case 'throttle':
			return exhausted(rule.maxAttempts) ?? { kind: 'retry', delayMs: 0, throttle: true };
		case 'pause-sending':
			return (
				exhausted(rule.maxAttempts) ?? {
					kind: 'retry',
					delayMs: rule.pauseMs,
					pauseAllMs: rule.pauseMs,
				}
			);
		case 'pause-campaign':
			return { kind: 'final', outcome: 'paused', pauseCampaign: true, reason };
		case 'terminal':
			return { kind: 'final', outcome: 'failed', notBeforeMs: rule.notBeforeMs, reason };
		case 'uncertain':
			return { kind: 'final', outcome: 'uncertain', reason };
	}
}
