import { WEBHOOK_ONLY_EVENTS } from '@careflow/contracts';
import { Outbox, type OutboxEvent } from '@careflow/persistence';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useNotificationsApp } from './app.support.js';

/**
 * The events whose one consumer is the webhook fan-in are written to the notifications outbox
 * only while an enabled endpoint wants them: decided by the statement that writes them, so an
 * endpoint gets every such event that happens after it subscribed, and no shop without one pays
 * a relay pass, a job and a ledger row per mail for an event the fan-in would drop.
 */
describe('events only the webhook fan-in consumes', () => {
  const running = useNotificationsApp();
  let db: DataSource;
  let outbox: Outbox;

  beforeAll(() => {
    db = running.dataSource;
    outbox = running.get(Outbox);
  });
  beforeEach(async () => {
    await db.query(`DELETE FROM notifications.webhook_endpoints`);
    await db.query(`DELETE FROM notifications.outbox`);
  });

  const sent = (id: string): OutboxEvent => ({
    event: 'notification.sent',
    payload: { id, channel: 'email', to: 'lan@example.com', template: 'ticket_acknowledged', status: 'sent', error: null, messageId: null, customerExternalId: null, sentAt: new Date() },
  });
  const moved = (id: string): OutboxEvent => ({
    event: 'shipment.status_changed',
    payload: {
      shipmentId: id, orderExternalId: 'ord_1', customerExternalId: 'cus_1', carrier: 'ups', trackingNumber: '1Z999', trackingUrl: null,
      previousStatus: 'created', status: 'in_transit', description: null, occurredAt: new Date(), updatedAt: new Date(),
    },
  } as OutboxEvent);
  const recorded = (externalId: string): OutboxEvent => ({
    event: 'order.recorded',
    payload: {
      externalId, customerExternalId: 'cus_1', channel: 'online', total: '10.00', currency: 'EUR', placedAt: new Date(), status: 'placed', version: 1,
    },
  } as OutboxEvent);

  async function write(events: OutboxEvent[]): Promise<string[]> {
    await db.transaction((tx) => outbox.enqueueMany(tx, events));
    const rows: Array<{ event: string }> = await db.query(`SELECT event FROM notifications.outbox ORDER BY seq`);
    return rows.map((r) => r.event);
  }

  async function endpoint(events: string[], enabled = true): Promise<void> {
    await db.query(
      `INSERT INTO notifications.webhook_endpoints (id, url, events, secret, enabled) VALUES ($1, 'https://hooks.shop.test/careflow', $2, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', $3)`,
      [randomUUID(), events, enabled],
    );
  }

  it('are the events routed to the fan-in alone, among them the mail outcomes and shipment moves', () => {
    expect([...WEBHOOK_ONLY_EVENTS].sort()).toEqual(expect.arrayContaining(['notification.failed', 'notification.sent', 'shipment.status_changed']));
    expect(WEBHOOK_ONLY_EVENTS).not.toContain('ticket.created');
    expect(WEBHOOK_ONLY_EVENTS).not.toContain('order.recorded');
  });

  it('are not written while no endpoint wants them; other events of the same statement are', async () => {
    expect(await write([sent(randomUUID()), recorded('ord_a'), moved(randomUUID())])).toEqual(['order.recorded']);
  });

  it('are written for an endpoint subscribed to them by name or by *, and not for a disabled one', async () => {
    await endpoint(['*'], false);
    await endpoint(['notification.failed']);
    expect(await write([sent(randomUUID()), moved(randomUUID())])).toEqual([]);

    await endpoint(['notification.sent']);
    expect(await write([sent(randomUUID()), moved(randomUUID())])).toEqual(['notification.sent']);

    await db.query(`DELETE FROM notifications.outbox`);
    await endpoint(['*']);
    expect(await write([sent(randomUUID()), recorded('ord_b'), moved(randomUUID())])).toEqual(['notification.sent', 'order.recorded', 'shipment.status_changed']);
  });
});
