export * from './options.js';
export * from './connection.js';
export * from './request.js';
export * from './progress.js';
export * from './request-observer.js';
export * from './reconnects.js';
export * from './reply-inbox.js';
