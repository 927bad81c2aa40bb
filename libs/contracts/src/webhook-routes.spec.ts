import { describe, expect, it } from 'vitest';
import { WebhookEventType } from './enums.js';
import { JOB_ROUTES } from './jobs.js';
import { QueueName } from './queues.js';

describe('webhook routes', () => {
  it('sends every event integrators may subscribe to through the webhook fan-in, and nothing else', () => {
    const routed = Object.entries(JOB_ROUTES)
      .filter(([, queues]) => (queues as readonly string[]).includes(QueueName.WebhookEvents))
      .map(([name]) => name);
    expect(routed.sort()).toEqual([...WebhookEventType].sort());
    expect(JOB_ROUTES['webhook.deliver']).toEqual([QueueName.WebhookDeliveries]);
  });
});
