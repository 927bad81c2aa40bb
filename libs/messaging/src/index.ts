export * from './job-queues.js';
export * from './job-validation.js';
export * from './messaging.module.js';
export * from './outbox-relay.js';
export * from './queue-worker.js';
export * from './redis.js';
export * from './worker-runtime.js';
export * from './deterministic-id.js';
