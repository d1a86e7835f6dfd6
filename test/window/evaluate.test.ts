import { DateTime } from 'luxon';

import { CHANNEL_RULES, evaluateWindow, resolveRule } from '../../lib/window';

const HOUR = 3600_000;
const last = Date.UTC(2026, 5, 10, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe('window rules as data', () => {
	it("holds Meta's lengths per channel", () => {
		expect(CHANNEL_RULES.whatsapp).toMatchObject({
			serviceWindowHours: 24,
			templates: true,
			freeEntryPoint: { replyWithinHours: 24, durationHours: 72 },
		});
		expect(CHANNEL_RULES.messenger).toMatchObject({
			serviceWindowHours: 24,
			templates: false,
			humanAgent: { hours: 168, tag: 'HUMAN_AGENT' },
		});
		expect(CHANNEL_RULES.instagram).toMatchObject({
			serviceWindowHours: 24,
			templates: false,
			humanAgent: { hours: 168, tag: 'HUMAN_AGENT' },
		});
	});

	it('applies overrides and rejects lengths that are not positive', () => {
		expect(resolveRule('whatsapp', { serviceWindowHours: 48 }).serviceWindowMs).toBe(48 * HOUR);
		expect(() => resolveRule('whatsapp', { freeEntryPointHours: 0 })).toThrow(
			/freeEntryPointHours.*positive/,
		);
		expect(() => resolveRule('messenger', { humanAgentHours: Number.NaN })).toThrow(
			/humanAgentHours/,
		);
		expect(() => resolveRule('sms' as 'whatsapp')).toThrow(/Unknown channel "sms"/);
	});
});

describe('evaluateWindow', () => {
	it('WhatsApp: open until 24 h after the last inbound, closed from exactly 24:00:00', () => {
		const at = (h: number, m: number, s: number) => last + h * HOUR + m * 60_000 + s * 1000;
		const open = evaluateWindow({ lastInboundAt: last }, at(23, 59, 59));
		expect(open).toMatchObject({
			channel: 'whatsapp',
			state: 'open',
			lastInboundAt: iso(last),
			expiresAt: iso(last + 24 * HOUR),
			remainingSeconds: 1,
			canSendFreeForm: true,
			needsTemplate: false,
			action: 'send_free_form',
			humanAgentUntil: null,
			freeEntryPointUntil: null,
		});
		expect(evaluateWindow({ lastInboundAt: last }, at(24, 0, 0)).state).toBe('closed');
		const closed = evaluateWindow({ lastInboundAt: last }, at(24, 0, 1));
		expect(closed).toMatchObject({
			state: 'closed',
			remainingSeconds: 0,
			canSendFreeForm: false,
			needsTemplate: true,
			templatesAllowed: true,
			action: 'send_template',
		});
	});

	it('Emilia, 30 hours later: closed, a template is needed', () => {
		const result = evaluateWindow(
			{ lastInboundAt: last },
			DateTime.fromMillis(last).plus({ hours: 30 }),
		);
		expect(result).toMatchObject({
			state: 'closed',
			needsTemplate: true,
			action: 'send_template',
			checkedAt: iso(last + 30 * HOUR),
		});
	});

	it('a contact who never wrote is closed', () => {
		expect(evaluateWindow({}, last)).toMatchObject({
			state: 'closed',
			lastInboundAt: null,
			expiresAt: null,
			needsTemplate: true,
		});
	});

	it('free entry point: 72 h from the first reply within 24 h of a referral; free-form still needs the 24 h window', () => {
		const reply = last + 2 * HOUR;
		const facts = { lastInboundAt: last, referralAt: last, firstReplyAfterReferralAt: reply };
		const inside = evaluateWindow(facts, reply + 50 * HOUR);
		expect(inside).toMatchObject({
			state: 'closed',
			freeEntryPointActive: true,
			freeEntryPointUntil: iso(reply + 72 * HOUR),
			needsTemplate: true,
		});
		expect(evaluateWindow(facts, reply + 72 * HOUR).freeEntryPointActive).toBe(false);
		// A reply more than 24 h after the referral opens no free entry point.
		expect(
			evaluateWindow({ ...facts, firstReplyAfterReferralAt: last + 25 * HOUR }, last + 26 * HOUR),
		).toMatchObject({ freeEntryPointUntil: null, freeEntryPointActive: false });
		// Configurable lengths.
		expect(
			evaluateWindow(facts, reply, { lengths: { freeEntryPointHours: 24 } }).freeEntryPointUntil,
		).toBe(iso(reply + 24 * HOUR));
	});

	it('Messenger / Instagram: no templates; after 24 h a human agent may answer for 7 days, then wait', () => {
		for (const channel of ['messenger', 'instagram'] as const) {
			expect(evaluateWindow({ lastInboundAt: last }, last + 23 * HOUR, { channel })).toMatchObject({
				state: 'open',
				action: 'send_free_form',
				humanAgentUntil: iso(last + 168 * HOUR),
			});
			const agent = evaluateWindow({ lastInboundAt: last }, last + 30 * HOUR, { channel });
			expect(agent).toMatchObject({
				channel,
				state: 'closed',
				needsTemplate: false,
				templatesAllowed: false,
				canSendWithHumanAgentTag: true,
				action: 'send_with_human_agent_tag',
			});
			const wait = evaluateWindow({ lastInboundAt: last }, last + 168 * HOUR, { channel });
			expect(wait).toMatchObject({
				state: 'closed',
				canSendWithHumanAgentTag: false,
				needsTemplate: false,
				action: 'wait_for_user',
			});
			expect(evaluateWindow({}, last, { channel }).action).toBe('wait_for_user');
		}
	});

	it('accepts now as epoch ms, Date or luxon DateTime, and a pre-resolved rule', () => {
		const rule = resolveRule('whatsapp', { serviceWindowHours: 1 });
		const now = last + 30 * 60_000;
		for (const value of [
			now,
			new Date(now),
			DateTime.fromMillis(now, { zone: 'America/Argentina/Buenos_Aires' }),
		]) {
			expect(evaluateWindow({ lastInboundAt: last }, value, { rule })).toMatchObject({
				state: 'open',
				remainingSeconds: 1800,
			});
		}
	});
});

describe('iso', () => {
	it('formats exactly like Date#toISOString, also at day, year and range edges', async () => {
		const { iso: fast } = await import('../../lib/window/evaluate');
		const samples = [
			0,
			1,
			999,
			1000,
			59_999,
			86_399_999,
			86_400_000,
			Date.UTC(2024, 1, 29, 23, 59, 59, 999),
			Date.UTC(9999, 11, 31, 23, 59, 59, 999),
			-1,
			253_402_300_800_000,
			1.5,
		];
		let seed = 42;
		for (let i = 0; i < 20_000; i++) {
			seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
			samples.push(Math.floor((seed / 2_147_483_648) * 4_102_444_800_000));
		}
		for (const ms of samples) expect(fast(ms)).toBe(new Date(ms).toISOString());
	});
});
