import { startRedisServer } from './redis-server';

/**
 * One real redis-server for the whole jest run; tests read its address from TEST_REDIS_*.
 * Each suite uses its own key prefix, so suites never see each other's keys.
 */
export default async function globalSetup(): Promise<void> {
	const redis = await startRedisServer();
	process.env.TEST_REDIS_HOST = '127.0.0.1';
	process.env.TEST_REDIS_PORT = String(redis.port);
	process.env.TEST_REDIS_PASSWORD = redis.password;
	(globalThis as { __redis?: { stop: () => Promise<void> } }).__redis = redis;
}
