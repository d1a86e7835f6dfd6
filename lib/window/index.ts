/** Messaging windows: the channel rules, their evaluation, CRM timestamp parsing and the window check. */
export * from './channel-rules';
export * from './evaluate';
export * from './timestamp';
export * from './check';
