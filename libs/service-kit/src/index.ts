export * from './health-checks.js';
export * from './service-health.controller.js';
export * from './service-kit.module.js';
