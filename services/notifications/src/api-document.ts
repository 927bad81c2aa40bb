import type { ServiceBootstrapOptions } from '@careflow/http';
import { NOTIFICATION_WEBHOOK_MODELS, NOTIFICATION_WEBHOOKS } from './modules/notifications-log/notification-webhooks.docs.js';
import { SHIPMENT_WEBHOOK_MODELS, SHIPMENT_WEBHOOKS } from './modules/shipments/shipment-webhooks.docs.js';
import { TEST_WEBHOOK_MODELS, TEST_WEBHOOKS } from './modules/webhook-endpoints/test-webhook.docs.js';

/** What the service publishes about itself: main.ts serves it, tools/generate-client.mjs builds the client from it. */
export const API_DOCUMENT: ServiceBootstrapOptions = {
  service: 'notifications',
  title: 'Careflow notifications',
  description: 'Orders, shipments, tracking events, outbound e-mail and webhooks.',
  extraModels: [...SHIPMENT_WEBHOOK_MODELS, ...NOTIFICATION_WEBHOOK_MODELS, ...TEST_WEBHOOK_MODELS],
  webhooks: { ...SHIPMENT_WEBHOOKS, ...NOTIFICATION_WEBHOOKS, ...TEST_WEBHOOKS },
};
