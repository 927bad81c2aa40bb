import { Module } from '@nestjs/common';
import { WebhookDeliveriesModule } from '../webhook-deliveries/webhook-deliveries.module.js';
import { WebhookEventsProcessor } from './webhook-events.processor.js';
import { WebhookMessagesRepository } from './webhook-messages.repository.js';
import { WebhookMessages } from './webhook-messages.service.js';

/** The webhook fan-in: events (and test requests) become messages and their deliveries. */
@Module({
  imports: [WebhookDeliveriesModule],
  providers: [WebhookMessagesRepository, WebhookMessages, WebhookEventsProcessor],
  exports: [WebhookMessages],
})
export class WebhookMessagesModule {}
