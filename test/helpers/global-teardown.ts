import { stopSharedN8n } from '../e2e/shared-n8n';

export default async function globalTeardown(): Promise<void> {
	await stopSharedN8n();
	const redis = (globalThis as { __redis?: { stop: () => Promise<void> } }).__redis;
	if (redis) await redis.stop();
}
