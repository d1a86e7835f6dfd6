/**
 * lib/campaign's bounded wait for send windows, on a virtual clock (`now` and `sleep` injected): a run waits for the
 * windows that open within the bound, sends those recipients then, and leaves the others unclaimed.
 */
import type { RecipientRow } from '../../lib/campaign';
import { parseSendWindow } from '../../lib/campaign/send-window';
import { arPhone, startRig, resumeCampaign, resumeRow, type CampaignRig } from './helpers';

let rig: CampaignRig;
beforeAll(async () => {
	rig = await startRig({ throughputMps: 1000 });
});
afterAll(async () => {
	await rig.close();
});

test("waits 45 virtual minutes for Mexico City's 08:00 (bound 60), not 105 for Denver's; only the sent ones are claimed", async () => {
	// 13:15 UTC on Friday 4 December 2026: 10:15 in Buenos Aires, 07:15 in Mexico City, 06:15 in Denver.
	let clock = Date.UTC(2026, 11, 4, 13, 15);
	const sleeps: number[] = [];
	const waits: Array<{ untilMs: number; recipients: number }> = [];
	const rows: RecipientRow[] = [
		{ phone: arPhone(1), timeZone: '' },
		{ phone: arPhone(2), timeZone: 'America/Mexico_City' },
		{ phone: arPhone(3), timeZone: 'America/Denver' },
	].map((row, i) => resumeRow(i, row));
	const window = parseSendWindow({ from: '08:00', to: '20:00', waitMinutes: 60 });
	const report = await resumeCampaign(rig, rows, {
		campaignId: 'windowed',
		sendWindow: { window, workflowZone: 'America/Argentina/Buenos_Aires' },
		now: () => clock,
		sleep: async (ms) => {
			sleeps.push(ms);
			clock += ms;
		},
		onWindowWait: (wait) => waits.push(wait),
	});
	expect(sleeps).toEqual([45 * 60_000]);
	expect(waits).toEqual([{ untilMs: Date.UTC(2026, 11, 4, 14), recipients: 1 }]);
	expect(
		report.outcomes.map((outcome) => [
			outcome.status,
			outcome.reason ?? null,
			outcome.timeZone,
			outcome.localTime,
		]),
	).toEqual([
		['sent', null, 'America/Argentina/Buenos_Aires', '2026-12-04T10:15:00-03:00'],
		['sent', null, 'America/Mexico_City', '2026-12-04T08:00:00-06:00'],
		['skipped', 'outside_send_window', 'America/Denver', '2026-12-04T06:15:00-07:00'],
	]);
	expect(report.outcomes[2].sendWindowOpensAt).toBe('2026-12-04T08:00:00-07:00');
	expect(report.summary.sendWindow).toEqual({
		window: '08:00–20:00 every day',
		now: 2,
		later: 1,
		byZone: {
			'America/Argentina/Buenos_Aires': { now: 1, later: 0 },
			'America/Mexico_City': { now: 1, later: 0 },
			'America/Denver': { now: 0, later: 1, nextOpensAt: '2026-12-04T08:00:00-07:00' },
		},
	});
	expect(rig.sandbox.control.ledger.count()).toBe(2);
	const records = await rig.store.getRecipients('windowed', [
		arPhone(1).slice(1),
		arPhone(2).slice(1),
		arPhone(3).slice(1),
	]);
	expect([...records.keys()].sort()).toEqual([arPhone(1).slice(1), arPhone(2).slice(1)].sort());

	// Summary Only holds no sent outcome, yet tallies the same zones.
	clock = Date.UTC(2026, 11, 4, 13, 15);
	const summaryOnly = await resumeCampaign(rig, rows, {
		campaignId: 'windowed-summary-only',
		keepOutcomes: 'notSent',
		sendWindow: { window, workflowZone: 'America/Argentina/Buenos_Aires' },
		now: () => clock,
		sleep: async (ms) => {
			clock += ms;
		},
	});
	expect(summaryOnly.summary.sendWindow).toEqual(report.summary.sendWindow);
	expect(summaryOnly.outcomes).toEqual([report.outcomes[2]]);
});
