import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { AppModule } from './app.module.js';
import { NOTIFICATION_WEBHOOK_MODELS, NOTIFICATION_WEBHOOKS } from './modules/notifications-log/notification-webhooks.docs.js';
import { SHIPMENT_WEBHOOK_MODELS, SHIPMENT_WEBHOOKS } from './modules/shipments/shipment-webhooks.docs.js';
import { TEST_WEBHOOK_MODELS, TEST_WEBHOOKS } from './modules/webhook-endpoints/test-webhook.docs.js';

await bootstrapService(AppModule.create(), {
  service: 'notifications',
  title: 'Careflow notifications',
  description: 'Orders, shipments, tracking events, outbound e-mail and webhooks.',
  extraModels: [...SHIPMENT_WEBHOOK_MODELS, ...NOTIFICATION_WEBHOOK_MODELS, ...TEST_WEBHOOK_MODELS],
  webhooks: { ...SHIPMENT_WEBHOOKS, ...NOTIFICATION_WEBHOOKS, ...TEST_WEBHOOKS },
});
