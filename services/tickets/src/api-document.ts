import type { ServiceBootstrapOptions } from '@careflow/http';
import { TICKET_WEBHOOK_MODELS, TICKET_WEBHOOKS } from './modules/tickets/ticket-webhooks.docs.js';

/** What the service publishes about itself: main.ts serves it, tools/generate-client.mjs builds the client from it. */
export const API_DOCUMENT: ServiceBootstrapOptions = {
  service: 'tickets',
  title: 'Careflow tickets',
  description: 'Tickets, comments, groups, SLA policies and the ticket audit trail.',
  extraModels: TICKET_WEBHOOK_MODELS,
  webhooks: TICKET_WEBHOOKS,
};
