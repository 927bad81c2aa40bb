export * from './eventually.js';
export * from './ports.js';
export * from './redis-keys.js';
export * from './smtp-sink.js';
export * from './stack.js';
export * from './test-database.js';
export * from './webhook-receiver.js';
