import type { ServiceBootstrapOptions } from '@careflow/http';
import { CUSTOMER_WEBHOOK_MODELS, CUSTOMER_WEBHOOKS } from './modules/customers/customer-webhooks.docs.js';

/** What the service publishes about itself: main.ts serves it, tools/generate-client.mjs builds the client from it. */
export const API_DOCUMENT: ServiceBootstrapOptions = {
  service: 'segmentation',
  title: 'Careflow segmentation',
  description: 'Customers, their order statistics, segments and segment rules.',
  extraModels: CUSTOMER_WEBHOOK_MODELS,
  webhooks: CUSTOMER_WEBHOOKS,
};
