/** Cloud API client: endpoints, the HTTP callers, Meta's error catalogue and the redaction of secrets. */
export * from './types';
export * from './errors';
export * from './endpoints';
export * from './client';
export * from './redact';
export * from './fetch-http';
export * from './multipart';
