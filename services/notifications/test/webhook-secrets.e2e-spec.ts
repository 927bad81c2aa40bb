import { eventually, useStack, WebhookReceiver, type ReceivedWebhook } from '@careflow/testing';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * WEBHOOK_SECRET_ENCRYPTION_KEY: signing secrets stored encrypted, those stored before the key
 * included, deliveries signed with them as before (verified with standardwebhooks), and none
 * sent while the key is missing, until it is back.
 */
describe('webhook secrets encrypted at rest', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => receiver?.stop());

  const key = randomBytes(32).toString('base64');
  // Started without the key; retries every 2 s, for long enough to outlast two restarts.
  const system = useStack({ services: ['notifications'], env: { WEBHOOK_RETRY_SCHEDULE: Array.from({ length: 20 }, (_, i) => (i === 0 ? 0 : 2)).join(','), WEBHOOK_RECONCILE_INTERVAL_MS: '500' } });

  const create = async () => (await system.api.post('/v1/webhooks').set(system.admin()).send({ url: receiver.url, events: ['*'] }).expect(201)).body as { id: string; secret: string };
  const stored = async (id: string) =>
    (await system.stack.db.pool.query<{ secret: string; previous_secret: string | null }>(`SELECT secret, previous_secret FROM notifications.webhook_endpoints WHERE id = $1`, [id])).rows[0]!;
  const testMessage = async (id: string) => (await system.api.post(`/v1/webhooks/${id}/test`).set(system.admin()).expect(202)).body.messageId as string;
  const received = (messageId: string) => receiver.waitFor((w) => w.headers['webhook-id'] === messageId, 20_000);
  const verify = (secret: string, w: ReceivedWebhook) => new Webhook(secret).verify(w.body, w.headers as Record<string, string>) as { type: string };
  const restartNotifications = async (env: Record<string, string>) => {
    await system.stack.terminate('notifications');
    await system.stack.startService('notifications', env);
  };
  const SEALED = /^sealed:k1:[0-9a-f]{16}:[A-Za-z0-9+/]+={0,2}$/;

  it('encrypts every secret once the key is set and signs with them as before; without the key nothing is sent until it is back', async () => {
    const early = await create();
    expect((await stored(early.id)).secret).toBe(early.secret);

    // With the key, the secret stored in the clear is encrypted when the service starts.
    await restartNotifications({ WEBHOOK_SECRET_ENCRYPTION_KEY: key });
    const earlyStored = await stored(early.id);
    expect(earlyStored.secret).toMatch(SEALED);
    expect(earlyStored.secret).not.toContain(early.secret.slice('whsec_'.length));
    expect(verify(early.secret, await received(await testMessage(early.id))).type).toBe('webhook.test');

    // Created and rotated with the key: both stored encrypted, the delivery carries both signatures.
    const late = await create();
    expect((await stored(late.id)).secret).toMatch(SEALED);
    const rotated = (await system.api.post(`/v1/webhooks/${late.id}/rotate-secret`).set(system.admin()).expect(200)).body.secret as string;
    const lateStored = await stored(late.id);
    expect(lateStored.secret).toMatch(SEALED);
    expect(lateStored.previous_secret).toMatch(SEALED);
    for (const secret of [late.secret, rotated]) expect(lateStored.secret + lateStored.previous_secret).not.toContain(secret.slice('whsec_'.length));
    const both = await received(await testMessage(late.id));
    expect(verify(late.secret, both).type).toBe('webhook.test');
    expect(verify(rotated, both).type).toBe('webhook.test');

    // Without the key: attempts fail before any request, and the log says why.
    await restartNotifications({ WEBHOOK_SECRET_ENCRYPTION_KEY: '' });
    const held = await testMessage(late.id);
    await eventually(async () => {
      const log = (await system.api.get(`/v1/webhooks/${late.id}/deliveries`).set(system.admin()).expect(200)).body as {
        data: Array<{ messageId: string; status: string; attempts: Array<{ statusCode: number | null; error: string | null }> }>;
      };
      const delivery = log.data.find((d) => d.messageId === held);
      expect(delivery?.status).toBe('pending');
      expect(delivery?.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/^not sent: .*WEBHOOK_SECRET_ENCRYPTION_KEY is not set/) });
    }, 15_000);
    expect(receiver.received.filter((w) => w.headers['webhook-id'] === held)).toEqual([]);
    expect((await stored(late.id)).secret).toBe(lateStored.secret);

    // The key back: the retry goes out, signed.
    await restartNotifications({ WEBHOOK_SECRET_ENCRYPTION_KEY: key });
    expect(verify(rotated, await received(held)).type).toBe('webhook.test');
  });
});
