import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { loadConfig } from '@careflow/platform';
import { AppModule } from './app.module.js';
import { EmailIngestConfig } from './config/email-ingest.config.js';
import { providerWebhookBodies } from './modules/provider-webhooks/provider-webhook-bodies.js';
import { INBOUND_EMAIL_WEBHOOK_MODELS, INBOUND_EMAIL_WEBHOOKS } from './modules/inbound-emails/inbound-email-webhooks.docs.js';

const config = loadConfig(EmailIngestConfig);
await bootstrapService(AppModule.create(config), {
  service: 'email-ingest',
  title: 'Careflow e-mail ingest',
  description: 'Inbound e-mail: raw messages, parsing and routing to tickets.',
  rawBodies: [{ type: 'message/rfc822', limit: config.EMAIL_BODY_LIMIT }],
  routeBodies: providerWebhookBodies(config.EMAIL_BODY_LIMIT),
  extraModels: INBOUND_EMAIL_WEBHOOK_MODELS,
  webhooks: INBOUND_EMAIL_WEBHOOKS,
});
