import { createRedisConnection, JobQueues } from '@careflow/messaging';
import { eventually, TEST_REDIS_URL, useStack, WebhookReceiver } from '@careflow/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * With WEBHOOK_ALLOW_PRIVATE_URLS=false (production), a delivery to a URL whose host is or
 * resolves to a private or loopback address is refused when it is attempted, whatever the
 * URL looked like when it was registered: nothing reaches the receiver.
 */
describe('webhook deliveries to private addresses', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => receiver?.stop());

  const system = useStack({
    services: ['notifications'],
    env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false', WEBHOOK_RETRY_SCHEDULE: '0,1', WEBHOOK_RECONCILE_INTERVAL_MS: '500' },
  });

  let queues: JobQueues;
  beforeAll(() => {
    queues = new JobQueues(createRedisConnection(TEST_REDIS_URL, 'webhook-private-urls-test'), system.stack.queuePrefix);
  });
  afterAll(async () => queues?.close());

  /** A message for one endpoint and its first delivery job, as the fan-in writes them. */
  async function deliver(url: string): Promise<string> {
    const endpointId = randomUUID();
    const deliveryId = randomUUID();
    const messageId = `msg_${randomBytes(13).toString('hex').toUpperCase()}`;
    const db = system.stack.db.pool;
    await db.query(`INSERT INTO notifications.webhook_endpoints (id, url, events, secret) VALUES ($1, $2, '{*}', $3)`, [endpointId, url, `whsec_${randomBytes(24).toString('base64')}`]);
    await db.query(`INSERT INTO notifications.webhook_messages (id, type, body) VALUES ($1, 'webhook.test', '{"type": "webhook.test", "data": {}}')`, [messageId]);
    await db.query(`INSERT INTO notifications.webhook_deliveries (id, message_id, endpoint_id, next_attempt_at) VALUES ($1, $2, $3, now())`, [deliveryId, messageId, endpointId]);
    await queues.publish([{ id: deliveryId, event: 'webhook.deliver', envelope: { eventId: deliveryId, occurredAt: new Date(), data: { deliveryId } } }]);
    return deliveryId;
  }

  async function attempts(deliveryId: string): Promise<Array<{ status: string; error: string | null; status_code: number | null }>> {
    return eventually(async () => {
      const { rows } = await system.stack.db.pool.query(
        `SELECT d.status, a.error, a.status_code FROM notifications.webhook_deliveries d JOIN notifications.webhook_attempts a ON a.delivery_id = d.id
          WHERE d.id = $1 AND d.status = 'failed' ORDER BY a.attempt`,
        [deliveryId],
      );
      expect(rows).toHaveLength(2);
      return rows;
    }, 20_000);
  }

  it('refuses a hostname that resolves to 127.0.0.1 (localhost)', async () => {
    const port = new URL(receiver.url).port;
    const rows = await attempts(await deliver(`http://localhost:${port}/hooks`));
    for (const row of rows) {
      expect(row.status_code).toBeNull();
      expect(row.error).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a literal private or metadata address', async () => {
    const [loopback, metadata] = await Promise.all([deliver(receiver.url), deliver('http://169.254.169.254/latest/meta-data/')]);
    expect((await attempts(loopback))[0]!.error).toMatch(/127\.0\.0\.1, a loopback address/);
    expect((await attempts(metadata))[0]!.error).toMatch(/169\.254\.169\.254, a cloud metadata address/);
    expect(receiver.received).toHaveLength(0);
  });
});
