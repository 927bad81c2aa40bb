import { createServiceApp } from '@careflow/http';
import { startInProcessApp, type InProcessApp } from '@careflow/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { NotificationsConfig } from '../src/config/notifications.config.js';
import { WebhookMessages } from '../src/modules/webhook-messages/webhook-messages.service.js';

/**
 * The webhook fan-in: one message per event, however often the event comes, and one delivery
 * (with its job in the outbox) per enabled endpoint that subscribed to its type or to `*`.
 */
describe('webhook messages (real Postgres)', () => {
  let running: InProcessApp;
  let db: DataSource;
  let messages: WebhookMessages;

  beforeAll(async () => {
    running = await startInProcessApp(
      NotificationsConfig,
      (config) => createServiceApp(AppModule.create(config), { service: 'notifications', title: 'notifications', description: '' }),
      { WORKERS_ENABLED: 'false' },
    );
    db = running.app.get<DataSource>(getDataSourceToken());
    messages = running.app.get(WebhookMessages);
  });
  afterAll(async () => running?.stop());

  async function endpoint(events: string[], enabled = true): Promise<string> {
    const id = randomUUID();
    await db.query(`INSERT INTO notifications.webhook_endpoints (id, url, events, secret, enabled) VALUES ($1, 'https://shop.example.com/hooks', $2, $3, $4)`, [
      id,
      events,
      `whsec_${randomBytes(24).toString('base64')}`,
      enabled,
    ]);
    return id;
  }

  const deliveriesOf = async (messageId: string) =>
    (await db.query(`SELECT endpoint_id, status, attempts FROM notifications.webhook_deliveries WHERE message_id = $1`, [messageId])) as Array<{ endpoint_id: string; status: string; attempts: number }>;

  it('writes one message per event, each subscribed enabled endpoint its delivery and job, and nothing twice', async () => {
    const all = await endpoint(['*']);
    const solved = await endpoint(['ticket.solved', 'ticket.created']);
    await endpoint(['customer.upserted']);
    await endpoint(['*'], false);
    const eventId = randomUUID();
    const occurredAt = new Date('2026-12-02T09:00:00.123Z');
    const data = { ticket: { id: randomUUID(), number: 7, updatedAt: occurredAt } };

    const first = await db.transaction((tx) => messages.enqueue(tx, 'ticket.solved', data, { eventId, occurredAt }));
    expect(first).toEqual({ messageId: expect.stringMatching(/^msg_[0-9A-Z]{26}$/), deliveries: 2 });
    const again = await db.transaction((tx) => messages.enqueue(tx, 'ticket.solved', data, { eventId, occurredAt }));
    expect(again).toBeNull();

    const [message] = await db.query(`SELECT type, event_id, body FROM notifications.webhook_messages WHERE id = $1`, [first!.messageId]);
    expect(message).toEqual({
      type: 'ticket.solved',
      event_id: eventId,
      body: { type: 'ticket.solved', timestamp: '2026-12-02T09:00:00.123Z', data: { ticket: { ...data.ticket, updatedAt: '2026-12-02T09:00:00.123Z' } } },
    });
    const deliveries = await deliveriesOf(first!.messageId);
    expect(deliveries.map((d) => d.endpoint_id).sort()).toEqual([all, solved].sort());
    expect(deliveries.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
    const jobs = await db.query(`SELECT payload FROM notifications.outbox WHERE event = 'webhook.deliver' AND payload->>'deliveryId' IN (SELECT id::text FROM notifications.webhook_deliveries WHERE message_id = $1)`, [first!.messageId]);
    expect(jobs).toHaveLength(2);
  });

  it('sends a test message to the one endpoint asked for, whatever it subscribed to', async () => {
    const target = await endpoint(['customer.erased']);
    await endpoint(['*']);
    const written = await db.transaction((tx) => messages.enqueue(tx, 'webhook.test', { message: 'hello' }, { endpointIds: [target] }));
    expect(written?.deliveries).toBe(1);
    expect((await deliveriesOf(written!.messageId)).map((d) => d.endpoint_id)).toEqual([target]);
  });
});
