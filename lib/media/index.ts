/** Header media from the workflow's own files: Meta's limits, the file check and the uploads, framework-free. */
export * from './upload-limits';
export * from './file';
export * from './upload';
