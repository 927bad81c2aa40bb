import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { loadConfig } from '@careflow/platform';
import { API_DOCUMENT } from './api-document.js';
import { AppModule } from './app.module.js';
import { EmailIngestConfig } from './config/email-ingest.config.js';
import { providerWebhookBodies } from './modules/provider-webhooks/provider-webhook-bodies.js';

const config = loadConfig(EmailIngestConfig);
await bootstrapService(AppModule.create(config), {
  ...API_DOCUMENT,
  rawBodies: [{ type: 'message/rfc822', limit: config.EMAIL_BODY_LIMIT }],
  routeBodies: providerWebhookBodies(config.EMAIL_BODY_LIMIT),
});
