import { useStack, WebhookReceiver } from '@careflow/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** POST /v1/webhooks/{id}/test: a signed `webhook.test` message to that endpoint only. */
describe('webhook test messages', () => {
  let receiver: WebhookReceiver;
  let bystander: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    bystander = await WebhookReceiver.start();
  });
  afterAll(async () => Promise.all([receiver?.stop(), bystander?.stop()]));

  const system = useStack({ services: ['notifications'], env: { WEBHOOK_RETRY_SCHEDULE: '0,1', WEBHOOK_RECONCILE_INTERVAL_MS: '500' } });
  const create = async (url: string, events: string[]) => (await system.api.post('/v1/webhooks').set(system.admin()).send({ url, events }).expect(201)).body as { id: string; secret: string };

  it('sends webhook.test to the one endpoint, signed with its secret, whatever it subscribes to', async () => {
    const endpoint = await create(receiver.url, ['ticket.created']);
    await create(bystander.url, ['*']);
    const res = await system.api.post(`/v1/webhooks/${endpoint.id}/test`).set(system.admin()).expect(202);
    expect(res.body.messageId).toMatch(/^msg_/);

    const got = await receiver.waitFor((w) => w.headers['webhook-id'] === res.body.messageId);
    const event = new Webhook(endpoint.secret).verify(got.body, got.headers as Record<string, string>) as { type: string; timestamp: string; data: unknown };
    expect(event).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id, message: 'A test event from Careflow.' } });
    expect(Date.parse(event.timestamp)).not.toBeNaN();

    await new Promise((r) => setTimeout(r, 1000));
    expect(bystander.received).toEqual([]);
  });

  it('sends nothing to a disabled endpoint (409), and knows no unknown one (404)', async () => {
    const endpoint = await create(receiver.url, ['*']);
    await system.api.patch(`/v1/webhooks/${endpoint.id}`).set(system.admin()).send({ enabled: false }).expect(200);
    const res = await system.api.post(`/v1/webhooks/${endpoint.id}/test`).set(system.admin()).expect(409);
    expect(res.body.code).toBe('webhook-endpoint-disabled');
    const { rows } = await system.stack.db.pool.query(`SELECT count(*)::int AS n FROM notifications.webhook_deliveries WHERE endpoint_id = $1`, [endpoint.id]);
    expect(rows[0].n).toBe(0);
    await system.api.post('/v1/webhooks/0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11/test').set(system.admin()).expect(404);
    await system.api.post('/v1/webhooks/nope/test').set(system.admin()).expect(400);
  });
});
