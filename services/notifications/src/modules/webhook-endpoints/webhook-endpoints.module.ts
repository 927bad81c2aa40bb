import { Module } from '@nestjs/common';
import { WebhookMessagesModule } from '../webhook-messages/webhook-messages.module.js';
import { WebhookSecretsModule } from '../webhook-secrets/webhook-secrets.module.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

/**
 * The shop's webhook endpoints: where events go, which ones, and the secrets they are signed
 * with. The delivery engine (webhook-deliveries) reads them; the SSRF guard (ssrf-guard.ts)
 * checks their URLs here and before every delivery.
 */
@Module({
  imports: [WebhookMessagesModule, WebhookSecretsModule],
  controllers: [WebhookEndpointsController],
  providers: [WebhookEndpointsService, WebhookEndpointsRepository],
  exports: [WebhookEndpointsService, WebhookEndpointsRepository],
})
export class WebhookEndpointsModule {}
