export * from './database.js';
export * from './database.module.js';
export * from './outbox.js';
export * from './outbox.schema.js';
export * from './snake-naming.strategy.js';
export * from './sql-params.js';
export * from './statement-batcher.js';
export * from './prepared-statements.js';
