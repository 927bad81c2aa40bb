import { describe, expect, it } from 'vitest';
import { isProviderWebhook, serviceFor, takesEmailBody } from './service-routes.js';

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
    ['/v1/webhooks', 'notifications'],
    ['/v1/webhooks/w/rotate-secret', 'notifications'],
    ['/v1/notifications', 'notifications'],
    ['/v1/inbound/email', 'email-ingest'],
    ['/v1/inbound/providers/mailgun', 'email-ingest'],
    ['/v1/inbound/providers/postmark', 'email-ingest'],
  ])('%s → %s', (path, service) => {
    expect(serviceFor(path)).toBe(service);
  });

  it.each(['/v1/api-keys', '/v1/webhook-events', '/v1/ticketsx', '/v1', '/health', '/docs', '/v2/tickets'])('%s is not proxied', (path) => {
    expect(serviceFor(path)).toBeUndefined();
  });
});

describe('takesEmailBody', () => {
  it('is true for POST /v1/inbound/email only', () => {
    expect(takesEmailBody('POST', '/v1/inbound/email')).toBe(true);
    expect(takesEmailBody('POST', '/v1/inbound/email/')).toBe(true);
  });

  it.each([
    ['PUT', '/v1/customers/x'],
    ['POST', '/v1/tickets'],
    ['GET', '/v1/inbound/email'],
    ['PUT', '/v1/inbound/email'],
    ['POST', '/v1/inbound/email/123'],
    ['POST', '/v1/inbound/emailx'],
  ])('is false for %s %s, whatever its Content-Type', (method, path) => {
    expect(takesEmailBody(method, path)).toBe(false);
  });
});

describe('isProviderWebhook', () => {
  it.each(['/v1/inbound/providers/mailgun', '/v1/inbound/providers/mailgun/mime', '/v1/inbound/providers/postmark', '/v1/inbound/providers/postmark/'])(
    'lets POST %s through without an API key',
    (path) => {
      expect(isProviderWebhook('POST', path)).toBe(true);
    },
  );

  it.each([
    ['GET', '/v1/inbound/providers/mailgun'],
    ['PUT', '/v1/inbound/providers/postmark'],
    ['POST', '/v1/inbound/providers/sendgrid'],
    ['POST', '/v1/inbound/providers/mailgun/other'],
    ['POST', '/v1/inbound/providers/postmarkx'],
    ['POST', '/v1/inbound/email'],
    ['POST', '/v1/inbound/providers'],
  ])('requires a key for %s %s', (method, path) => {
    expect(isProviderWebhook(method, path)).toBe(false);
  });
});
