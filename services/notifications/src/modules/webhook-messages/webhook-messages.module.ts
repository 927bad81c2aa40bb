import { Module } from '@nestjs/common';
import { WebhookDeliveriesModule } from '../webhook-deliveries/webhook-deliveries.module.js';
import { WebhookEventsProcessor } from './webhook-events.processor.js';
import { WebhookMessagesRepository } from './webhook-messages.repository.js';
import { WebhookMessages } from './webhook-messages.service.js';
import { WebhookRetention } from './webhook-retention.js';

/** The webhook fan-in: events (and test requests) become messages and their deliveries, kept for WEBHOOK_RETENTION_DAYS. */
@Module({
  imports: [WebhookDeliveriesModule],
  providers: [WebhookMessagesRepository, WebhookMessages, WebhookEventsProcessor, WebhookRetention],
  exports: [WebhookMessages],
})
export class WebhookMessagesModule {}
