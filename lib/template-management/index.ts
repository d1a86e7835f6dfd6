/** Template lifecycle: Meta's creation rules and a draft checked against them into the create request. */
export * from './creation-rules';
export * from './draft';
