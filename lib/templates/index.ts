/** Template core: a template definition plus values → the Graph API send JSON, validated before any paid call. */
export * from './message-rules';
export * from './slots';
export * from './values';
export * from './build';
export * from './language';
export * from './text-message';
export * from './pricing';
export * from './resource-mapper';
