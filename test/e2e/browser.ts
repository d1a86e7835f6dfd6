/**
 * n8n's editor in a real browser: Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH) driven by playwright-core,
 * logged in as the e2e n8n's owner. No browser download: playwright-core only speaks the DevTools protocol.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The guide's flags: headless, no sandbox (containers), nothing that phones home. */
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** Where `npm run screenshots` wants the editor pictures (docs/images), or undefined for a plain test run. */
export const SCREENSHOT_DIR = process.env.WHATSAPP_HSM_SCREENSHOTS
	? path.resolve(process.env.WHATSAPP_HSM_SCREENSHOTS)
	: undefined;

export interface EditorSession {
	browser: Browser;
	context: BrowserContext;
	page: Page;
	close(): Promise<void>;
}

export async function openEditor(
	baseUrl: string,
	owner: { email: string; password: string },
): Promise<EditorSession> {
	if (!existsSync(CHROMIUM_PATH))
		throw new Error(
			`${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
		);
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
	const context = await browser.newContext({
		viewport: { width: 1440, height: 900 },
		baseURL: baseUrl,
	});
	const login = await context.request.post('/rest/login', {
		data: { emailOrLdapLoginId: owner.email, password: owner.password },
	});
	if (login.status() !== 200)
		throw new Error(`n8n login answered ${login.status()}: ${await login.text()}`);
	const page = await context.newPage();
	page.setDefaultTimeout(30_000);
	return { browser, context, page, close: () => browser.close() };
}

/** A picture for docs/ when `npm run screenshots` runs the browser tests; nothing otherwise. */
export async function screenshot(
	page: Page,
	name: string,
	options: { clip?: { x: number; y: number; width: number; height: number } } = {},
): Promise<void> {
	if (!SCREENSHOT_DIR) return;
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), ...options });
}

/** Opens the nodes panel from the canvas and types a search. */
export async function searchNodes(page: Page, query: string): Promise<string[]> {
	await page.locator('[data-test-id="canvas-handle-plus"]').first().click();
	const search = page
		.locator('[data-test-id="node-creator-search-bar"] input, input[placeholder^="Search"]')
		.first();
	await search.fill(query);
	await page.waitForTimeout(800);
	// Nodes with operations are listed as "action" items, the others as "node" items: both carry an item name.
	return (await page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts()).map(
		(name) => name.trim(),
	);
}
