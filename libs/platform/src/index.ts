export * from './common.config.js';
export * from './load-config.js';
export * from './logger.js';
export * from './platform.module.js';
export * from './request-context.js';
export * from './validation-errors.js';
export * from './semaphore.js';
export * from './log-error.js';
