import { describe, expect, it } from 'vitest';
import { serviceFor } from './service-routes.js';

describe('serviceFor', () => {
  it.each([
    ['/v1/tickets', 'tickets'],
    ['/v1/tickets/3f1c/comments', 'tickets'],
    ['/v1/customers/cus_1/tickets', 'tickets'],
    ['/v1/groups', 'tickets'],
    ['/v1/agents/agent_7', 'tickets'],
    ['/v1/sla-policies', 'tickets'],
    ['/v1/customers/cus_1', 'segmentation'],
    ['/v1/customers', 'segmentation'],
    ['/v1/segments/rules', 'segmentation'],
    ['/v1/orders/o-1/shipments', 'notifications'],
    ['/v1/shipments/s-1/events', 'notifications'],
    ['/v1/webhooks/w/deliveries', 'notifications'],
    ['/v1/notifications', 'notifications'],
    ['/v1/inbound/email', 'email-ingest'],
  ])('%s → %s', (path, service) => {
    expect(serviceFor(path)).toBe(service);
  });

  it.each(['/v1/api-keys', '/v1/ticketsx', '/v1', '/health', '/docs', '/v2/tickets'])('%s is not proxied', (path) => {
    expect(serviceFor(path)).toBeUndefined();
  });
});
