import { Module } from '@nestjs/common';
import { WebhookSecrets } from './webhook-secrets.js';
import { WebhookSecretsRepository } from './webhook-secrets.repository.js';

/**
 * Webhook signing secrets at rest (WEBHOOK_SECRET_ENCRYPTION_KEY): sealed where endpoints store
 * them, opened where deliveries sign with them.
 */
@Module({
  providers: [WebhookSecrets, WebhookSecretsRepository],
  exports: [WebhookSecrets],
})
export class WebhookSecretsModule {}
