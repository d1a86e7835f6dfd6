/**
 * Starts one n8n in jest's globalSetup for all e2e files (instead of one boot per file), only when the run
 * includes e2e files (globalSetup installs the pinned runtime first when it is missing), so unit-only runs never
 * pay for n8n. Should the runtime still be missing, the e2e files fail on their own with the install command.
 *
 * Wiring (test/helpers/global-setup.ts and global-teardown.ts):
 *   await startSharedN8n(globalConfig);   // globalSetup(globalConfig)
 *   await stopSharedN8n();                // globalTeardown()
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { isInstalled, startN8n, type N8nInstance } from '../../scripts/n8n/runtime';
import { SHARED_N8N_ENV } from './n8n-env';

const E2E_DIR = __dirname;

interface JestGlobalConfigLike {
	rootDir?: string;
	testPathPattern?: string;
	testPathPatterns?: { patterns?: string[] } | string[];
}

/** True when jest's path filter (if any) selects at least one test file in test/<folder>. */
export function runIncludes(globalConfig: JestGlobalConfigLike, folder: string): boolean {
	const dir = path.join(E2E_DIR, '..', folder);
	const patterns: string[] = [];
	if (typeof globalConfig.testPathPattern === 'string' && globalConfig.testPathPattern)
		patterns.push(globalConfig.testPathPattern);
	const newer = globalConfig.testPathPatterns;
	if (Array.isArray(newer)) patterns.push(...newer);
	else if (newer && Array.isArray(newer.patterns)) patterns.push(...newer.patterns);
	const files = readdirSync(dir)
		.filter((name) => name.endsWith('.test.ts'))
		.map((name) => path.join(dir, name));
	if (files.length === 0) return false;
	if (patterns.length === 0) return true;
	return files.some((file) => patterns.some((pattern) => new RegExp(pattern, 'i').test(file)));
}

/** True when jest's path filter (if any) selects at least one file in test/e2e. */
export function runIncludesE2e(globalConfig: JestGlobalConfigLike): boolean {
	return runIncludes(globalConfig, 'e2e');
}

let shared: N8nInstance | undefined;

export async function startSharedN8n(globalConfig: JestGlobalConfigLike): Promise<void> {
	if (!runIncludesE2e(globalConfig) || !isInstalled()) return;
	const started = Date.now();
	shared = await startN8n();
	process.env[SHARED_N8N_ENV.url] = shared.url;
	process.env[SHARED_N8N_ENV.userFolder] = shared.userFolder;
	process.env[SHARED_N8N_ENV.ownerEmail] = shared.owner.email;
	process.env[SHARED_N8N_ENV.ownerPassword] = shared.owner.password;
	process.env[SHARED_N8N_ENV.apiKey] = shared.apiKey ?? '';
	process.stdout.write(
		`\n[e2e] n8n ${shared.url} ready for the e2e files (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
	);
}

export async function stopSharedN8n(): Promise<void> {
	const instance = shared;
	shared = undefined;
	for (const key of Object.values(SHARED_N8N_ENV)) delete process.env[key];
	if (instance) await instance.stop();
}
