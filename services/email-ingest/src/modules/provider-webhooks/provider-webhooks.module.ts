import { Module } from '@nestjs/common';
import { InboundEmailsModule } from '../inbound-emails/inbound-emails.module.js';
import { ProviderWebhooksController } from './provider-webhooks.controller.js';
import { ProviderWebhooksService } from './provider-webhooks.service.js';
import { WebhookTokens } from './webhook-tokens.js';

/** Inbound mail posted by providers (Mailgun routes, Postmark's inbound webhook), verified and stored raw. */
@Module({
  imports: [InboundEmailsModule],
  controllers: [ProviderWebhooksController],
  providers: [ProviderWebhooksService, WebhookTokens],
})
export class ProviderWebhooksModule {}
