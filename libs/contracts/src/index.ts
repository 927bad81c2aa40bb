export * from './enums.js';
export * from './jobs.js';
export * from './queues.js';
export * from './payloads/customer-upserted.payload.js';
export * from './payloads/customer.payloads.js';
export * from './payloads/incoming.payloads.js';
export * from './payloads/ticket.payloads.js';
export * from './payloads/commerce.payloads.js';
