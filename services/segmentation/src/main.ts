import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { AppModule } from './app.module.js';
import { CUSTOMER_WEBHOOK_MODELS, CUSTOMER_WEBHOOKS } from './modules/customers/customer-webhooks.docs.js';

await bootstrapService(AppModule.create(), {
  service: 'segmentation',
  title: 'Careflow segmentation',
  description: 'Customers, their order statistics, segments and segment rules.',
  extraModels: CUSTOMER_WEBHOOK_MODELS,
  webhooks: CUSTOMER_WEBHOOKS,
});
