/**
 * Header media from the workflow's own files: Meta's rules as data (rules.ts), a file checked against them
 * before any upload or paid call (file.ts), and the uploads to `POST /{phone-number-id}/media`, each distinct file
 * once (upload.ts). Framework-free: the nodes supply a MediaFile per n8n binary property.
 */
export * from './rules';
export * from './file';
export * from './upload';
