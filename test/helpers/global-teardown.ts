export default async function globalTeardown(): Promise<void> {
	const redis = (globalThis as { __redis?: { stop: () => Promise<void> } }).__redis;
	if (redis) await redis.stop();
}
