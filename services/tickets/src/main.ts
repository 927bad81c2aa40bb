import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { AppModule } from './app.module.js';
import { TICKET_WEBHOOK_MODELS, TICKET_WEBHOOKS } from './modules/tickets/ticket-webhooks.docs.js';

await bootstrapService(AppModule.create(), {
  service: 'tickets',
  title: 'Careflow tickets',
  description: 'Tickets, comments, groups, SLA policies and the ticket audit trail.',
  extraModels: TICKET_WEBHOOK_MODELS,
  webhooks: TICKET_WEBHOOKS,
});
