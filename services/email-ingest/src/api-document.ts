import type { ServiceBootstrapOptions } from '@careflow/http';
import { INBOUND_EMAIL_WEBHOOK_MODELS, INBOUND_EMAIL_WEBHOOKS } from './modules/inbound-emails/inbound-email-webhooks.docs.js';

/** What the service publishes about itself: main.ts serves it, tools/generate-client.mjs builds the client from it. */
export const API_DOCUMENT: ServiceBootstrapOptions = {
  service: 'email-ingest',
  title: 'Careflow e-mail ingest',
  description: 'Inbound e-mail: raw messages, parsing and routing to tickets.',
  extraModels: INBOUND_EMAIL_WEBHOOK_MODELS,
  webhooks: INBOUND_EMAIL_WEBHOOKS,
};
