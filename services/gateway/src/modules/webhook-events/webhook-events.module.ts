import { Module } from '@nestjs/common';
import { DocsModule } from '../docs/docs.module.js';
import { WebhookEventsController } from './webhook-events.controller.js';

/** GET /v1/webhook-events: the event catalogue, read from the merged OpenAPI document. */
@Module({
  imports: [DocsModule],
  controllers: [WebhookEventsController],
})
export class WebhookEventsModule {}
