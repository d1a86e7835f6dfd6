import { decide, defaultRetryPolicy, retryPolicy, type SendFailed } from '../../lib/delivery';

const fail = (code?: number, httpStatus?: number, extra: Partial<SendFailed> = {}): SendFailed => ({
	ok: false,
	code,
	httpStatus,
	...extra,
});
const policy = defaultRetryPolicy;

describe('retry policy', () => {
	it.each([
		['HTTP 500 without a code', fail(undefined, 500)],
		['HTTP 502 with an unknown code', fail(999_999, 502)],
		['131000 something went wrong', fail(131000, 500)],
		['131016 service unavailable', fail(131016, 500)],
		['2 service temporarily unavailable', fail(2, 503)],
		['4 app call rate limit', fail(4, 400)],
		['80007 WABA rate limit', fail(80007, 400)],
		['network error before any answer', fail()],
	])('%s: exponential backoff with full jitter, bounded', (_name, failure) => {
		// Full jitter: random(0, min(cap, base × 2^(n-1))).
		expect(decide(failure, 1, policy, () => 0.999_999)).toEqual({ kind: 'retry', delayMs: 499 });
		expect(decide(failure, 3, policy, () => 0.5)).toEqual({ kind: 'retry', delayMs: 1_000 });
		expect(decide(failure, 7, policy, () => 0.999_999)).toEqual({ kind: 'retry', delayMs: 29_999 });
		expect(decide(failure, 3, policy, () => 0)).toEqual({ kind: 'retry', delayMs: 0 });
		const last = decide(failure, 8, policy, () => 0.5);
		expect(last).toMatchObject({ kind: 'final', outcome: 'failed' });
		expect(last.kind === 'final' && last.reason).toMatch(/gave up after 8 attempts/);
	});

	it('131056: only this recipient waits 4^n seconds', () => {
		expect(decide(fail(131056, 400), 1, policy)).toEqual({ kind: 'retry', delayMs: 4_000 });
		expect(decide(fail(131056, 400), 2, policy)).toEqual({ kind: 'retry', delayMs: 16_000 });
		expect(decide(fail(131056, 400), 3, policy)).toEqual({ kind: 'retry', delayMs: 64_000 });
		expect(decide(fail(131056, 400), 4, policy)).toMatchObject({
			kind: 'final',
			outcome: 'failed',
		});
	});

	it('130429: slow the shared rate and resend when paced', () => {
		expect(decide(fail(130429, 400), 1, policy)).toEqual({
			kind: 'retry',
			delayMs: 0,
			throttle: true,
		});
		expect(decide(fail(130429, 400), 10, policy)).toMatchObject({
			kind: 'final',
			outcome: 'failed',
		});
	});

	it('131057: hold all sending for minutes, configurable', () => {
		expect(decide(fail(131057, 500), 1, policy)).toEqual({
			kind: 'retry',
			delayMs: 120_000,
			pauseAllMs: 120_000,
		});
		const custom = retryPolicy({
			byCode: { 131057: { action: 'pause-sending', pauseMs: 300_000, maxAttempts: 2 } },
		});
		expect(decide(fail(131057, 500), 1, custom)).toEqual({
			kind: 'retry',
			delayMs: 300_000,
			pauseAllMs: 300_000,
		});
		expect(decide(fail(131057, 500), 2, custom)).toMatchObject({
			kind: 'final',
			outcome: 'failed',
		});
	});

	it('131049: not retried, not before 24 h', () => {
		expect(decide(fail(131049, 400), 1, policy)).toMatchObject({
			kind: 'final',
			outcome: 'failed',
			notBeforeMs: 24 * 3_600_000,
		});
	});

	it.each([132015, 132016])('%i: pause the whole campaign', (code) => {
		expect(decide(fail(code, 400), 1, policy)).toMatchObject({
			kind: 'final',
			outcome: 'paused',
			pauseCampaign: true,
		});
	});

	it.each([
		[100, 400],
		[131008, 400],
		[131009, 400],
		[132000, 400],
		[132001, 404],
	])('%i (fix-input): failed at once, with the fix', (code, httpStatus) => {
		const decision = decide(fail(code, httpStatus), 1, policy);
		expect(decision).toMatchObject({ kind: 'final', outcome: 'failed' });
		expect(decision.kind === 'final' && decision.reason.length).toBeGreaterThan(20);
	});

	it.each([
		[190, 401],
		[131026, 400],
		[131050, 400],
		[368, 403],
		[999_999, 400],
	])('%i (stop): failed at once', (code, httpStatus) => {
		expect(decide(fail(code, httpStatus), 1, policy)).toMatchObject({
			kind: 'final',
			outcome: 'failed',
		});
	});

	it('a request without an answer is uncertain, never resent blindly', () => {
		const decision = decide(fail(undefined, undefined, { timedOut: true }), 1, policy);
		expect(decision).toMatchObject({ kind: 'final', outcome: 'uncertain' });
		expect(decision.kind === 'final' && decision.reason).toMatch(/not resent blindly/);
	});
});
