/**
 * examples/weekly-promotion.json run in the real n8n 2.40.7 as a user tests it: its Data Table created and seeded
 * through n8n's public API, the workflow created with a credential pointing at the sandbox, and run twice from its
 * Schedule Trigger through the editor's manual-run endpoint (the "Execute workflow" button), at the real time.
 * The audience is chosen at test time so that some recipients' windows are open now and others closed; what the
 * example must do with each is worked out from their zones, independently of the node.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';

import {
	readExample,
	seedWeeklyAudience,
	WEEKLY_AUDIENCE_TABLE,
} from '../../scripts/demo/examples';
import type { Execution, StoredWorkflow, WorkflowJson } from '../../scripts/n8n/rest';
import { SANDBOX_DEFAULTS, startSandbox, type RunningSandbox } from '../../sandbox';
import { E2E_TIMEOUT_MS, useN8n } from './n8n-env';

const n8n = useN8n();
const EXAMPLE = 'weekly-promotion';
const TRIGGER = 'Every hour on Mondays';
const SEND = 'Send promotion';
const WORKFLOW_ZONE = 'America/Argentina/Buenos_Aires';

/** Real places spanning UTC-10 … UTC+14: at any instant some have 09:00–20:00 (Mon–Sat) and some the night. */
const ZONES = [
	'Pacific/Honolulu',
	'America/Anchorage',
	'America/Los_Angeles',
	'America/Denver',
	'America/Mexico_City',
	'America/Bogota',
	'America/Santiago',
	'America/Sao_Paulo',
	'Atlantic/Azores',
	'Europe/London',
	'Europe/Madrid',
	'Europe/Athens',
	'Europe/Moscow',
	'Asia/Dubai',
	'Asia/Karachi',
	'Asia/Kolkata',
	'Asia/Dhaka',
	'Asia/Bangkok',
	'Asia/Singapore',
	'Asia/Tokyo',
	'Australia/Sydney',
	'Pacific/Noumea',
	'Pacific/Auckland',
	'Pacific/Tongatapu',
	'Pacific/Kiritimati',
];

/** The example's window: 09:00–20:00, Monday to Saturday, in the recipient's zone; with 20 minutes of margin. */
function windowAt(zone: string, at: number): 'open' | 'closed' | 'edge' {
	const local = DateTime.fromMillis(at, { zone });
	const minutes = local.hour * 60 + local.minute;
	if (local.weekday === 7) return minutes > 20 && minutes < 24 * 60 - 20 ? 'closed' : 'edge';
	if (minutes >= 9 * 60 + 20 && minutes < 20 * 60 - 20) return 'open';
	if (minutes < 9 * 60 - 20 || minutes >= 20 * 60 + 20) return 'closed';
	return 'edge';
}

async function manualRun(workflowId: string): Promise<Execution> {
	const { client } = n8n();
	const started = await client.rest<{ executionId?: string; waitingForWebhook?: boolean }>(
		'POST',
		`/workflows/${workflowId}/run`,
		{ triggerToStartFrom: { name: TRIGGER } },
	);
	if (!started.executionId)
		throw new Error(`the manual run did not start an execution: ${JSON.stringify(started)}`);
	const deadline = Date.now() + 120_000;
	for (;;) {
		const execution = await client.getExecution(started.executionId).catch(() => undefined);
		if (execution && ['success', 'error', 'crashed', 'canceled'].includes(execution.status))
			return execution;
		if (Date.now() > deadline)
			throw new Error(`execution ${started.executionId} did not finish within 120 s`);
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

const items = (execution: Execution, node: string, output: number) =>
	(execution.data.resultData.runData[node]?.[0]?.data?.main?.[output] ?? []).map(
		(item) => item.json,
	);

describe('examples/weekly-promotion.json in a real n8n', () => {
	let sandbox: RunningSandbox;
	let workflow: StoredWorkflow | undefined;

	beforeAll(async () => {
		sandbox = await startSandbox({ statusDelayMs: 5 });
	});
	afterAll(async () => {
		if (workflow)
			await n8n()
				.client.api('DELETE', `/workflows/${workflow.id}`)
				.catch(() => undefined);
		await sandbox?.stop();
	});

	test(
		"the audience from a Data Table, a dry run, then a send once per ISO week and only inside each recipient's window",
		async () => {
			const { client } = n8n();
			const suffix = randomUUID().slice(0, 8);
			const now = Date.now();
			const open = ZONES.filter((zone) => windowAt(zone, now) === 'open').slice(0, 2);
			const closed = ZONES.filter((zone) => windowAt(zone, now) === 'closed').slice(0, 2);
			expect([open.length, closed.length]).toEqual([2, 2]);
			// Argentina has one zone: the number alone decides (no timeZone column).
			const argentina = windowAt(WORKFLOW_ZONE, now);
			const rows = [
				...open.map((timeZone, i) => ({
					phone: `+549115700000${i + 1}`,
					name: `Open ${i + 1}`,
					language: 'es',
					timeZone,
				})),
				...closed.map((timeZone, i) => ({
					phone: `+549115800000${i + 1}`,
					name: `Closed ${i + 1}`,
					language: 'es',
					timeZone,
				})),
				...(argentina === 'edge'
					? []
					: [{ phone: '+54 9 11 5555 1234', name: 'Emilia', language: 'es', timeZone: '' }]),
			];

			await seedWeeklyAudience(client, rows, `${WEEKLY_AUDIENCE_TABLE} ${suffix}`);

			const credential = await client.createCredential({
				name: `WhatsApp sandbox ${suffix}`,
				type: 'whatsAppCloudApi',
				data: {
					provider: 'sandbox',
					baseUrl: sandbox.url,
					apiVersion: 'v24.0',
					accessToken: SANDBOX_DEFAULTS.accessToken,
					phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
					wabaId: SANDBOX_DEFAULTS.wabaId,
					appSecret: SANDBOX_DEFAULTS.appSecret,
					verifyToken: `weekly-${suffix}`,
				},
			});
			const example: WorkflowJson = structuredClone(readExample(EXAMPLE));
			const audience = example.nodes.find((node) => node.type === 'n8n-nodes-base.dataTable')!;
			expect(audience.parameters.dataTableId).toEqual({
				__rl: true,
				mode: 'name',
				value: WEEKLY_AUDIENCE_TABLE,
			});
			(audience.parameters.dataTableId as { value: string }).value =
				`${WEEKLY_AUDIENCE_TABLE} ${suffix}`;
			workflow = await client.createWorkflow(example, {
				credentials: { whatsAppCloudApi: credential },
				name: `${example.name} [${suffix}]`,
			});

			const first = await manualRun(workflow.id);
			expect([first.status, first.data.resultData.error?.message]).toEqual(['success', undefined]);
			const week = DateTime.fromMillis(now, { zone: WORKFLOW_ZONE }).toFormat("kkkk-'W'WW");
			const campaignId = `weekly-promotion@${week}`;

			// The dry run: nothing sent, now and later per zone.
			const dry = items(first, 'Dry run', 2).find((json) => json.type === 'summary')!;
			const nowCount = open.length + (argentina === 'open' ? 1 : 0);
			const laterCount = closed.length + (argentina === 'closed' ? 1 : 0);
			expect(dry).toMatchObject({
				campaignId,
				period: week,
				dryRun: true,
				wouldSend: nowCount,
				sendWindow: { window: '09:00–20:00 Mon–Sat', now: nowCount, later: laterCount },
			});
			for (const zone of open)
				expect((dry.sendWindow as { byZone: Record<string, unknown> }).byZone[zone]).toEqual({
					now: 1,
					later: 0,
				});

			const sent = items(first, SEND, 0).filter((json) => json.type !== 'summary');
			const notSent = items(first, SEND, 1);
			expect(sent.map((json) => json.timeZone).sort()).toEqual(
				[...open, ...(argentina === 'open' ? [WORKFLOW_ZONE] : [])].sort(),
			);
			for (const json of sent)
				expect(json).toMatchObject({
					status: 'sent',
					campaignId,
					period: week,
					template: 'coupon_code',
				});
			if (argentina === 'open')
				expect(
					sent.find((json) => json.name === undefined && json.timeZone === WORKFLOW_ZONE),
				).toMatchObject({ timeZoneSource: 'phone_country' });
			expect(
				notSent.map((json) => [json.reason, json.timeZone, json.timeZoneSource]).sort(),
			).toEqual(
				[
					...closed.map((zone) => ['outside_send_window', zone, 'item']),
					...(argentina === 'closed'
						? [['outside_send_window', WORKFLOW_ZONE, 'phone_country']]
						: []),
				].sort(),
			);
			for (const json of notSent)
				expect(Date.parse(String(json.sendWindowOpensAt))).toBeGreaterThan(now);
			const summary = items(first, SEND, 0).find((json) => json.type === 'summary');
			expect(summary).toMatchObject({
				campaignId,
				period: week,
				periodKind: 'week',
				periodTimeZone: WORKFLOW_ZONE,
				counts: { sent: nowCount },
			});
			expect(sandbox.control.ledger.count()).toBe(nowCount);

			// The next hourly run in the same week: nobody gets it twice; the closed windows are still closed.
			const second = await manualRun(workflow.id);
			expect(second.status).toBe('success');
			const again = items(second, 'Dry run', 2).find((json) => json.type === 'summary')!;
			expect(again).toMatchObject({
				wouldSend: 0,
				byReason: { already_sent: nowCount, outside_send_window: laterCount },
			});
			// Nothing to send now: "Check the estimate" ends the run before the send.
			expect(second.data.resultData.runData[SEND]).toBeUndefined();
			expect(sandbox.control.ledger.count()).toBe(nowCount);
			expect(sandbox.control.ledger.duplicates()).toEqual([]);
		},
		E2E_TIMEOUT_MS,
	);
});
