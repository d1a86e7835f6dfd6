/** Messaging-window rules (rules.ts, as data), their evaluation (evaluate.ts) and CRM timestamp parsing (timestamp.ts). */
export * from './rules';
export * from './evaluate';
export * from './timestamp';
export * from './check';
