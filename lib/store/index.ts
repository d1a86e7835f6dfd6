/** The conversation store: one interface (types.ts), an embedded SQLite and a shared Redis backend. */
export * from './types';
export { SqliteStore, type SqliteStoreOptions } from './sqlite';
export { RedisStore, DEFAULT_KEY_PREFIX, scrub, type RedisStoreOptions } from './redis';
export { resolveStorePath, n8nFolder, STORE_FILE_NAME, STORE_PATH_ENV } from './paths';
export { STATUS_RANK, DELIVERY_STATUSES, RECIPIENT_STATES, isDeliveryStatus } from './merge-rules';
export { summarise } from './summary';
