/**
 * Template lifecycle: Meta's creation rules as data (rules.ts) and a draft checked against them into the create
 * request (draft.ts). The Cloud API client submits, lists, gets and deletes; the WhatsApp Templates node adapts.
 */
export * from './rules';
export * from './draft';
