import { startSharedN8n } from '../e2e/shared-n8n';
import { startRedisServer } from './redis-server';

/**
 * One real redis-server for the whole jest run (tests read TEST_REDIS_*; each suite uses its own key prefix),
 * and, when the run includes end-to-end files, one real n8n shared by them.
 */
export default async function globalSetup(globalConfig: Parameters<typeof startSharedN8n>[0]): Promise<void> {
	const redis = await startRedisServer();
	process.env.TEST_REDIS_HOST = '127.0.0.1';
	process.env.TEST_REDIS_PORT = String(redis.port);
	process.env.TEST_REDIS_PASSWORD = redis.password;
	(globalThis as { __redis?: { stop: () => Promise<void> } }).__redis = redis;
	await startSharedN8n(globalConfig);
}
