/** Bulk Campaign core: rows → paced, exactly-once template sends, over the store and delivery runner. */
export * from './sending-rules';
export * from './campaign-id';
export * from './rate-card';
export * from './recipients';
export * from './group-commit';
export * from './store-hooks';
export * from './run';
export * from './estimate';
export * from './report';
export * from './progress';
export * from './period';
export * from './period-report';
export * from './send-window';
export * from './country-zones';
