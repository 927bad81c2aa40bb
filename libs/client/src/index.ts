export * from './careflow-client.js';
export * from './careflow-api-error.js';
export * from './list-operations.js';
export * from './retrying-fetch.js';
export * from './webhooks.js';
export type { components, operations, paths, webhooks as webhookEvents } from './generated/openapi.js';
