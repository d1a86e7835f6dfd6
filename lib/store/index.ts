/**
 * The conversation store (README, Architecture; docs/meta-cloud-api.md §3-§4 for what it records): one interface (types.ts), two backends.
 *
 *   const store = new SqliteStore({ path: resolveStorePath() });          // embedded, default
 *   const store = await RedisStore.connect({ host, port, password, keyPrefix });
 *
 * Nodes do not construct stores themselves: nodes/common/store.ts opens (and caches per process) the store
 * their "Store" parameter names.
 */
export * from './types';
export { SqliteStore, type SqliteStoreOptions } from './sqlite';
export { RedisStore, DEFAULT_KEY_PREFIX, scrub, type RedisStoreOptions } from './redis';
export { resolveStorePath, n8nFolder, STORE_FILE_NAME, STORE_PATH_ENV } from './paths';
export { STATUS_RANK, DELIVERY_STATUSES, RECIPIENT_STATES, isDeliveryStatus } from './rules';
export { summarise } from './summary';
