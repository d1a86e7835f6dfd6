export * from './types';
export * from './errors';
export * from './endpoints';
export * from './client';
export * from './redact';
export * from './fetch-http';
export * from './multipart';
