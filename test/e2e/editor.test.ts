/**
 * The editor as a no-code operator meets it, in a real browser (Debian's chromium + playwright-core) against the
 * pinned n8n with this package and the sandbox: the nodes panel finds all five nodes under "whatsapp", a new Send
 * HSM Template lists the approved templates on its first open, a template's variables become fields, Execute step
 * sends, a bad phone names Recipient Phone, and a Bulk Campaign dry run never reads as a send.
 *
 * Its own n8n (not the shared one): the credential must be the only one of its type, so the editor attaches it to
 * a new node by itself as it does for a new user. `npm run screenshots` runs this file with WHATSAPP_HSM_SCREENSHOTS
 * set and writes the README's pictures (docs/images) from the same steps.
 */
import type { Page } from 'playwright-core';

import { readExample } from '../../scripts/demo/examples';
import { startN8n, type N8nInstance } from '../../scripts/n8n/runtime';
import type { StoredCredential, WorkflowJson } from '../../scripts/n8n/rest';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { sandboxCredentials } from '../helpers/sandbox-credentials';
import { openEditor, screenshot, searchNodes, type EditorSession } from './browser';
import { E2E_TIMEOUT_MS } from './n8n-env';

const BROWSER_TIMEOUT_MS = 180_000;

let n8n: N8nInstance;
let sandbox: RunningSandbox;
let editor: EditorSession;
let credential: StoredCredential;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0 });
	n8n = await startN8n();
	credential = await n8n.rest.createCredential({
		name: 'WhatsApp (sandbox)',
		type: 'whatsAppCloudApi',
		data: { ...sandboxCredentials(sandbox.url).whatsAppCloudApi, verifyToken: 'editor-verify' },
	});
	editor = await openEditor(n8n.url, n8n.owner);
}, E2E_TIMEOUT_MS);

afterAll(async () => {
	await editor?.close();
	await n8n?.stop();
	await sandbox?.stop();
}, E2E_TIMEOUT_MS);

const manualTrigger = {
	id: 'start',
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0] as [number, number],
	parameters: {},
};

async function openWorkflow(
	page: Page,
	workflow: Omit<WorkflowJson, 'name'> & { name?: string },
): Promise<void> {
	const stored = await n8n.rest.createWorkflow({
		name: `editor ${Date.now()}`,
		settings: {},
		...workflow,
	} as WorkflowJson);
	await page.goto(`/workflow/${stored.id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor();
}

/** Adds a node from the nodes panel after the first node, as a user does, and waits for its details view. */
async function addNode(page: Page, displayName: string): Promise<void> {
	await searchNodes(page, displayName);
	await page
		.locator('[data-test-id="node-creator-item-name"]')
		.filter({ hasText: displayName })
		.first()
		.click();
	// Community nodes show their details with "Add to workflow" first.
	const add = page.getByRole('button', { name: 'Add to workflow' });
	if (await add.isVisible({ timeout: 2_000 }).catch(() => false)) await add.click();
	await page.locator('[data-test-id="ndv"]').waitFor();
}

/** Opens a dropdown and waits for an option (the list loads from the API); returns the visible options' texts. */
async function dropdownOptions(
	page: Page,
	parameter: string,
	waitFor: string | RegExp,
): Promise<string[]> {
	const visible = page.locator('.el-select-dropdown__item:visible');
	// The dropdown can close again while the NDV is still settling: open it until the option shows (20 s at most).
	for (let attempt = 0; ; attempt++) {
		await page.locator(`[data-test-id="parameter-input-${parameter}"]`).click();
		const shown = await visible
			.filter({ hasText: waitFor })
			.first()
			.waitFor({ timeout: 5_000 })
			.then(
				() => true,
				() => false,
			);
		if (shown) break;
		if (attempt === 3)
			throw new Error(
				`the ${parameter} dropdown never showed an option matching ${String(waitFor)}`,
			);
		await page.keyboard.press('Escape');
	}
	return (await visible.allInnerTexts()).map((text) => text.trim());
}

async function choose(page: Page, text: string | RegExp): Promise<void> {
	await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click();
}

const ndvText = (page: Page) => page.locator('[data-test-id="ndv"]').innerText();

/** The cells of a Table view that show "undefined" (n8n's rendering of a key the item lacks), by row and column. */
const undefinedCells = (table: { columns: string[]; rows: string[][] }) =>
	table.rows.flatMap((row, index) =>
		row.flatMap((cell, column) =>
			/\bundefined\b/.test(cell) ? [`row ${index}, ${table.columns[column] ?? column}`] : [],
		),
	);

/** The output panel in n8n's Table view: the column names and every row's cells, as the user reads them. */
async function outputTable(page: Page): Promise<{ columns: string[]; rows: string[][] }> {
	const output = page.locator('[data-test-id="output-panel"]');
	await output.getByText('Table', { exact: true }).first().click();
	const table = output.locator('table').first();
	await table.waitFor();
	const columns = (await table.locator('thead th').allInnerTexts())
		.map((text) => text.trim())
		.filter((text) => text !== '');
	const rows = await table.locator('tbody tr').evaluateAll((trs) =>
		trs.map((tr) =>
			// No DOM types in this project's tsconfig: the cells are read through their innerText property.
			[...tr.querySelectorAll(':scope > td')].map((td) =>
				String((td as unknown as { innerText: string }).innerText).trim(),
			),
		),
	);
	return { columns, rows };
}

describe('the editor in a real browser (chromium)', () => {
	test(
		'the nodes panel search "whatsapp" lists all five nodes',
		async () => {
			const { page } = editor;
			await openWorkflow(page, { nodes: [manualTrigger], connections: {} });
			const found = await searchNodes(page, 'whatsapp');
			await screenshot(page, 'nodes-panel-search');
			for (const name of [
				'WhatsApp HSM Trigger',
				'Send HSM Template',
				'Check Conversation Window',
				'Bulk Campaign',
				'WhatsApp Templates',
			]) {
				expect([name, found.some((item) => item.includes(name)), found]).toEqual([
					name,
					true,
					found,
				]);
			}
			await page.keyboard.press('Escape');
		},
		BROWSER_TIMEOUT_MS,
	);

	test(
		"a new Send HSM Template lists the approved templates on its first open, shows appointment_reminder's four fields, sends with Execute step and names Recipient Phone when the phone is bad",
		async () => {
			const { page } = editor;
			await openWorkflow(page, { nodes: [manualTrigger], connections: {} });
			await addNode(page, 'Send HSM Template');
			// The credential (the only one of its type) is attached by the editor: the list below proves it.

			const approved = [
				...new Set(
					sandbox.control
						.templates()
						.filter((t) => t.status === 'APPROVED')
						.map((t) => t.name),
				),
			].sort();
			const options = await dropdownOptions(page, 'template', 'appointment_reminder (');
			const listed = options.map((text) => text.split(' (')[0].trim());
			expect(listed.sort()).toEqual(approved);
			// Each option previews the template's text as it will read, variables not yet filled in.
			expect(options.find((text) => text.startsWith('appointment_reminder ('))).toMatch(
				/UTILITY · Recordatorio de turno · Hola \{\{1\}\}, te recordamos tu turno/,
			);
			await screenshot(page, 'send-hsm-template-preview');
			await choose(page, 'appointment_reminder (');
			const languages = await dropdownOptions(page, 'defaultLanguage', /^es/);
			expect(languages.find((text) => text.startsWith('en'))).toMatch(
				/Hi \{\{1\}\}, this is a reminder/,
			);
			await choose(page, /^es/);

			await page.locator('[data-test-id="parameter-input-to"] input').fill('+54 9 11 5555 1234');
			const fields = [
				'Body {{1}}',
				'Body {{2}}',
				'"Confirmar" button payload',
				'"Cancelar" button payload',
			];
			for (const field of fields) await page.getByText(field, { exact: false }).first().waitFor();
			const text = await ndvText(page);
			expect(text).not.toContain('takes no variables');
			expect(text).not.toContain('Choose an approved template first');

			const inputs = page.locator(
				'[data-test-id="mapping-fields-container"] input, [data-test-id="mapping-fields-container"] [contenteditable="true"]',
			);
			await inputs.nth(0).fill('Emilia');
			await inputs.nth(1).fill('martes 14 de octubre, 8:30 h');
			await page.keyboard.press('Tab');

			await page.locator('[data-test-id="node-execute-button"]').first().click();
			await page.getByText('Hola Emilia', { exact: false }).first().waitFor({ timeout: 30_000 });
			const sent = await page.locator('[data-test-id="output-panel"]').innerText();
			expect(sent).toMatch(/sent/);
			// Default Language es, no Recipient Language: the language the user picked, not a "fallback".
			expect(sent).not.toMatch(/\bfallback\b/);
			expect(sandbox.control.ledger.count()).toBe(1);
			await screenshot(page, 'send-hsm-template');

			await page.locator('[data-test-id="parameter-input-to"] input').fill('12345');
			await page.keyboard.press('Tab');
			await page.locator('[data-test-id="node-execute-button"]').first().click();
			await page.getByText('Recipient Phone', { exact: false }).nth(1).waitFor({ timeout: 30_000 });
			const error = await page.locator('[data-test-id="output-panel"]').innerText();
			expect(error).toMatch(/Recipient Phone: "12345" is not a valid phone number/);
			expect(error).not.toMatch(/E\.164|\bto "/);
			expect(sandbox.control.ledger.count()).toBe(1);
			await page.keyboard.press('Escape');
		},
		BROWSER_TIMEOUT_MS,
	);

	test(
		'a new Bulk Campaign is a dry run: its outputs say so on the canvas and nothing is sent',
		async () => {
			const { page } = editor;
			const before = sandbox.control.ledger.count();
			const bulk = {
				id: 'bulk',
				name: 'Bulk Campaign',
				type: 'n8n-nodes-whatsapp-hsm.bulkCampaign',
				typeVersion: 1,
				position: [240, 0] as [number, number],
				// No dryRun: a new node's default.
				parameters: {
					campaignName: 'Editor test',
					phone: '+54 9 11 5555 1234',
					template: 'appointment_reminder',
					defaultLanguage: 'es',
					variables: {
						mappingMode: 'defineBelow',
						value: { 'body.1': 'Emilia', 'body.2': 'martes 14 de octubre' },
						schema: [],
					},
				},
				credentials: { whatsAppCloudApi: { id: credential.id, name: credential.name } },
			};
			await openWorkflow(page, {
				nodes: [manualTrigger, bulk],
				connections: { Start: { main: [[{ node: 'Bulk Campaign', type: 'main', index: 0 }]] } },
			});
			await page
				.locator('[data-test-id^="execute-workflow-button"]')
				.first()
				.click({ force: true });
			await page
				.getByText(/Would Send/)
				.first()
				.waitFor({ timeout: 60_000 });
			const canvas = await page
				.locator('[data-test-id="canvas"], #canvas, .vue-flow')
				.first()
				.innerText();
			for (const label of ['Would Send', 'Would Skip', 'Estimate']) expect(canvas).toContain(label);
			expect(canvas).not.toMatch(/\bSent\b/);
			await page.getByText('Workflow executed successfully').first().waitFor({ timeout: 60_000 });
			await screenshot(page, 'bulk-campaign-dry-run');
			expect(sandbox.control.ledger.count()).toBe(before);

			// The node's output: every recipient as "would_send" and the summary with the estimate, never "sent".
			await page
				.locator('[data-test-id="canvas-node"]')
				.filter({ hasText: 'Bulk Campaign' })
				.dblclick();
			await page.locator('[data-test-id="ndv"]').waitFor();
			const output = page.locator('[data-test-id="output-panel"]');
			await output
				.getByText(/would_send/)
				.first()
				.waitFor();
			expect(await output.innerText()).not.toMatch(/\bsent\b/);
			// Table view: a column per key across the items, and a key an item lacks shows as a red "undefined":
			// the recipients (Would Send) and the summary (Estimate) are on separate outputs, so none does.
			const recipients = await outputTable(page);
			expect(recipients.columns).toContain('renderedText');
			expect(recipients.rows).toHaveLength(1);
			expect(undefinedCells(recipients)).toEqual([]);
			await screenshot(page, 'bulk-campaign-dry-run-recipients');
			await output
				.getByText(/^Estimate/)
				.first()
				.click();
			await output.getByText('estimatedCost').first().waitFor();
			const estimate = await outputTable(page);
			expect(estimate.columns.slice(0, 2)).toEqual(['type', 'campaignId']);
			expect(estimate.rows).toHaveLength(1);
			expect(undefinedCells(estimate)).toEqual([]);
			await screenshot(page, 'bulk-campaign-dry-run-summary');
			await page.keyboard.press('Escape');
		},
		BROWSER_TIMEOUT_MS,
	);

	test(
		'the example workflows open on the canvas, and a campaign report draws its chart',
		async () => {
			const { page } = editor;
			for (const key of ['appointment-reminder', 'promotion-campaign']) {
				const example = readExample(key);
				for (const node of example.nodes)
					if (node.credentials?.whatsAppCloudApi)
						node.credentials.whatsAppCloudApi = { id: credential.id, name: credential.name };
				await openWorkflow(page, { ...example, name: `${example.name} (editor)` });
				const nodes = example.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
				expect(await page.locator('[data-test-id="canvas-node"]').count()).toBe(nodes.length);
				await page.keyboard.press('1'); // n8n's "zoom to fit"
				await page.waitForTimeout(800);
				await screenshot(page, `example-${key}`);
			}

			// A real (sandbox) campaign of three, then its report with the chart attached as an SVG.
			const send = {
				id: 'send',
				name: 'Send campaign',
				type: 'n8n-nodes-whatsapp-hsm.bulkCampaign',
				typeVersion: 1,
				position: [240, 0] as [number, number],
				parameters: {
					campaignName: 'Editor report',
					phone: '={{ "+54 9 11 5000 000" + $json.n }}',
					template: 'appointment_reminder',
					defaultLanguage: 'es',
					dryRun: false,
					variables: {
						mappingMode: 'defineBelow',
						value: { 'body.1': 'Emilia', 'body.2': 'martes 14 de octubre' },
						schema: [],
					},
				},
				credentials: { whatsAppCloudApi: { id: credential.id, name: credential.name } },
			};
			const rows = {
				id: 'rows',
				name: 'Three recipients',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [120, 0] as [number, number],
				parameters: { jsCode: 'return [1, 2, 3].map((n) => ({ json: { n } }));' },
			};
			const report = {
				id: 'report',
				name: 'Report',
				type: 'n8n-nodes-whatsapp-hsm.bulkCampaign',
				typeVersion: 1,
				position: [480, 0] as [number, number],
				executeOnce: true,
				parameters: {
					operation: 'report',
					reportCampaignId: '={{ $json.campaignId }}',
					reportOptions: { includeChart: true },
				},
			};
			await openWorkflow(page, {
				nodes: [manualTrigger, rows, send, report],
				connections: {
					Start: { main: [[{ node: 'Three recipients', type: 'main', index: 0 }]] },
					'Three recipients': { main: [[{ node: 'Send campaign', type: 'main', index: 0 }]] },
					'Send campaign': { main: [[{ node: 'Report', type: 'main', index: 0 }]] },
				},
			});
			await page
				.locator('[data-test-id^="execute-workflow-button"]')
				.first()
				.click({ force: true });
			await page
				.locator('[data-test-id="canvas-node"]')
				.filter({ hasText: 'Report' })
				.getByText(/item/)
				.first()
				.waitFor({ timeout: 60_000 });
			await page
				.locator('[data-test-id="canvas-node"]')
				.filter({ hasText: /^Report/ })
				.last()
				.dblclick();
			const output = page.locator('[data-test-id="output-panel"]');
			await output
				.getByText(/Binary|chart/i)
				.first()
				.click();
			await page.waitForTimeout(1_000);
			const view = output.getByRole('button', { name: /^View$/ }).first();
			if (await view.isVisible().catch(() => false)) await view.click();
			await page.waitForTimeout(1_500);
			await screenshot(page, 'campaign-report-chart');
			expect(sandbox.control.ledger.count()).toBeGreaterThanOrEqual(3);
			await page.keyboard.press('Escape');
		},
		BROWSER_TIMEOUT_MS,
	);

	test(
		'the trigger says what to paste into Meta: one webhook URL, the Production URL and publishing in the notice and the panel; a test message reads type, name, from and text first',
		async () => {
			const { page } = editor;
			const trigger = {
				id: 'trigger',
				name: 'WhatsApp HSM Trigger',
				type: 'n8n-nodes-whatsapp-hsm.whatsAppHsmTrigger',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				webhookId: 'b6a3f8e2-5d1c-4f7a-9e0b-2c4d6e8f0a1b',
				parameters: {},
				credentials: { whatsAppCloudApi: { id: credential.id, name: credential.name } },
			};
			await openWorkflow(page, { nodes: [trigger], connections: {} });
			await page.locator('[data-test-id="canvas-node"]').first().dblclick();
			await page.locator('[data-test-id="ndv"]').waitFor();
			const ndv = await ndvText(page);
			expect(ndv).toContain('Production URL');
			expect(ndv).toMatch(/publish/i);
			await page
				.locator('[data-test-id="ndv"]')
				.getByText('Webhook URLs', { exact: true })
				.first()
				.click();
			await page.waitForTimeout(500);
			await screenshot(page, 'trigger-webhook-urls');
			const urls = (
				(await page.locator('[data-test-id="ndv"]').innerText()).match(/https?:\/\/\S+/g) ?? []
			).filter((url) => url.includes('/webhook'));
			// GET (Meta's handshake) and POST (events) share the URL: the editor lists it once.
			expect(urls).toHaveLength(1);
			// No "POST" badge: Meta calls the URL with GET too.
			const shownUrl = await page
				.locator('[data-test-id="ndv"] .webhook-wrapper')
				.first()
				.innerText();
			expect(shownUrl).not.toMatch(/\b(GET|POST)\b/);
			// Before listening, the trigger panel speaks of Meta, the Production URL and publishing (its triggerPanel).
			const panel = page.locator('[data-test-id="ndv"]');
			expect(await panel.innerText()).toMatch(/Meta app's callback URL to the Production URL/);
			await panel.locator('[data-test-id="trigger-execute-button"]').first().click();
			const listening = panel.locator('[data-test-id="trigger-listening"]');
			await listening.waitFor();
			// While listening, n8n 2.40.7 shows its own "Go to <display name without Trigger> and create an event":
			// a node cannot set that line (TriggerPanel's serviceHint), so only this is asserted.
			expect(await listening.innerText()).toMatch(/Listening for/);
			await screenshot(page, 'trigger-setup');

			// A message from Meta (the sandbox, signed) to the Test URL: its item reads what happened first.
			sandbox.control.setWebhookUrl(`${n8n.url}/webhook-test/${trigger.webhookId}/webhook`);
			sandbox.control.say('contact +54 9 11 5555 1234 named Emilia says Hola, quiero un turno');
			await sandbox.control.flushWebhooks();
			const output = page.locator('[data-test-id="output-panel"]');
			await output.getByText('Hola, quiero un turno').first().waitFor({ timeout: 30_000 });
			const table = await outputTable(page);
			expect(table.columns.slice(0, 4)).toEqual(['type', 'name', 'from', 'text']);
			expect(table.columns.indexOf('id')).toBeGreaterThan(table.columns.indexOf('text'));
			expect(table.columns.at(-1)).toBe('raw');
			await screenshot(page, 'trigger-message-table');
			sandbox.control.setWebhookUrl(null);
			await page.keyboard.press('Escape');
		},
		BROWSER_TIMEOUT_MS,
	);
});
