/**
 * The LocalAI-compatible node protocol: subjects, message schemas, the Go-exact JSON codec and
 * process keys. Pure: no I/O, safe to import from workflows.
 */
export * from './subjects.js';
export * from './messages.js';
export * from './codec.js';
export * from './process-key.js';
export { formatGoFloat, quoteGoString } from './go-json.js';
