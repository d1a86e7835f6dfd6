import { build } from '../../scripts/build';
import { installN8n, isInstalled, paths } from '../../scripts/n8n/runtime';
import { runIncludes, startSharedN8n } from '../e2e/shared-n8n';
import { ensureRedisServer, startRedisServer } from './redis-server';

const log = (line: string) => process.stdout.write(`[test set-up] ${line}\n`);

/**
 * Everything README's `npm test` needs after `npm install`, set up on first use and said as it happens:
 * - redis-server (Debian's package, installed when missing and this user may; else the command to run);
 *   one real server for the whole run (tests read TEST_REDIS_*; each suite uses its own key prefix);
 * - dist/ (npm run build) and, when the run includes end-to-end files, the pinned n8n runtime (installed once
 *   into N8N_RUNTIME_DIR or .cache/) and one real n8n shared by those files, with the package installed from
 *   its npm pack tarball.
 */
export default async function globalSetup(
	globalConfig: Parameters<typeof startSharedN8n>[0],
): Promise<void> {
	const redisBinary = await ensureRedisServer({ log });
	const redis = await startRedisServer(undefined, redisBinary);
	process.env.TEST_REDIS_HOST = '127.0.0.1';
	process.env.TEST_REDIS_PORT = String(redis.port);
	process.env.TEST_REDIS_PASSWORD = redis.password;
	(globalThis as { __redis?: { stop: () => Promise<void> } }).__redis = redis;

	const e2e = runIncludes(globalConfig, 'e2e');
	// The package tests and the e2e n8n read dist/; a build is about a second, so every such run builds.
	if (e2e || runIncludes(globalConfig, 'unit')) await build({ quiet: true });
	if (e2e && !isInstalled()) {
		log(
			`the pinned n8n ${paths.N8N_VERSION} for the end-to-end tests is not installed in ${paths.CACHE_DIR}: installing it now (once: 5 to 15 minutes depending on the machine, 2.8 GB)`,
		);
		await installN8n({ log: (line) => log(`n8n: ${line}`) });
	}
	await startSharedN8n(globalConfig);
}
