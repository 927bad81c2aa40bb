import type { JobName, JobPayload } from '@careflow/contracts';
import type { OutboxEvent } from '@careflow/persistence';
import { textOccurrences } from '@careflow/testing';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotificationsIncomingProcessor } from '../src/modules/incoming/notifications-incoming.processor.js';
import { OutboundMessagesRepository } from '../src/modules/mail/outbound-messages.repository.js';
import { OrdersService } from '../src/modules/orders/orders.service.js';
import { ShipmentsService } from '../src/modules/shipments/shipments.service.js';
import { useNotificationsApp } from './app.support.js';

/** The customer who asks to be forgotten, and what notifications may hold of her. */
const LAN = {
  externalId: 'cus_erase_lan',
  email: 'lan.nguyen@example.com',
  // an address she mailed support from before the shop gave segmentation her id
  oldEmail: 'Lan.Old@Example.com',
  name: 'Nguyễn Thị Lan',
  phone: '+84 912 345 678',
};
const LAN_TEXT = ['QX7781', 'ZEBRAFISH'];
const MINH = { externalId: 'cus_keep_minh', email: 'minh.tran@example.com', name: 'Trần Văn Minh' };

const sha256 = (address: string) => createHash('sha256').update(address.trim().toLowerCase()).digest('hex');

/**
 * Erasure in the notifications service, driven through the incoming-queue worker as the job
 * arrives, after the real paths recorded orders, shipments, tracking events and mail: every
 * text column of every table of the schema is searched for what the customer was and what was
 * written to her; another customer's rows are compared before and after.
 */
describe('customer erasure in notifications', () => {
  // Nothing sends: the mail worker's steps are taken by hand, to erase in the middle of one.
  const running = useNotificationsApp({ WORKERS_ENABLED: 'false' });
  let db: DataSource;
  let worker: NotificationsIncomingProcessor;
  let messages: OutboundMessagesRepository;

  beforeAll(() => {
    db = running.dataSource;
    worker = running.get(NotificationsIncomingProcessor);
    messages = running.get(OutboundMessagesRepository);
  });

  function deliver<N extends JobName>(name: N, data: JobPayload<N> | Record<string, unknown>): Promise<'handled' | 'duplicate'> {
    const eventId = randomUUID();
    return worker.process({ id: eventId, name, data: JSON.parse(JSON.stringify({ eventId, occurredAt: new Date(), data })) });
  }

  const upsert = (c: { externalId: string; email: string | null; name: string | null }, version: number) =>
    deliver('customer.upserted', { ...c, phone: null, locale: 'vi', tags: [], vip: null, version, updatedAt: new Date() });

  function ticket(customer: { externalId: string | null; email: string; name: string | null }, subject: string, createdAt = new Date()) {
    return {
      id: randomUUID(), number: 1000 + Math.floor(Math.random() * 100_000), subject, status: 'new', priority: 'normal', type: 'question', channel: 'email',
      segment: null, group: null, groupAddress: null, assignee: null, tags: [], customer: { ...customer, locale: 'vi' }, orderExternalId: null,
      firstResponseDueAt: new Date(createdAt.getTime() + 3600_000), resolutionDueAt: null, createdAt, updatedAt: createdAt,
    };
  }
  const actor = { type: 'api_key', id: 'key_1' };

  async function orderWithShipment(customerExternalId: string, order: string, tracking: string): Promise<string> {
    await running.app.get(OrdersService).record({
      externalId: order, customerExternalId, channel: 'online', total: '250000.00', currency: 'VND', placedAt: new Date().toISOString(),
      items: [{ sku: 'TEA-01', name: 'Ấm trà Bát Tràng', quantity: 1, price: '250000.00' }],
    });
    const shipment = await running.app.get(ShipmentsService).create(order, { carrier: 'GHN', trackingNumber: tracking });
    return shipment.id;
  }

  const messageIds = async (customerExternalId: string | null, to?: string): Promise<string[]> =>
    (await db.query(
      `SELECT id FROM notifications.outbound_messages WHERE customer_external_id IS NOT DISTINCT FROM $1 AND ($2::text IS NULL OR to_address = $2) ORDER BY created_at, id`,
      [customerExternalId, to ?? null],
    )).map((r: { id: string }) => r.id);

  /** An outcome as the mail worker records it, with its notification event. */
  async function outcome(id: string, status: 'sent' | 'failed', error: string | null, to: string, customerExternalId: string | null): Promise<void> {
    const events: OutboxEvent[] = [{
      event: status === 'sent' ? 'notification.sent' : 'notification.failed',
      payload: { id, channel: 'email', to, template: 'ticket_acknowledged', status, error, messageId: null, customerExternalId, sentAt: status === 'sent' ? new Date() : null },
    }];
    await messages.recordOutcomes([{ id, status, error }], new Date(), events);
  }

  it('leaves no personal data of the customer in any table, keeps the log, orders and shipments for the books, and touches no one else', async () => {
    await upsert({ externalId: LAN.externalId, email: LAN.email, name: LAN.name }, 3);
    await upsert(MINH, 1);

    // Her order and shipment (notice queued), a carrier event that names her (notice, incident).
    const lanShipment = await orderWithShipment(LAN.externalId, 'ord_lan_1', 'GHN-LAN-1');
    await running.app.get(ShipmentsService).addEvent(lanShipment, {
      eventId: 'ev-lan-1', status: 'exception', occurredAt: new Date().toISOString(), description: `Người nhận ${LAN.name} vắng nhà, gọi ${LAN.phone}`,
    });
    // Her tickets' mail: an acknowledgement and an agent's reply quoting her words, and the
    // acknowledgement of mail from her old address, which carries no id of hers.
    const lanTicket = ticket({ externalId: LAN.externalId, email: LAN.email, name: LAN.name }, `Ấm trà ${LAN_TEXT[0]} bị vỡ`);
    await deliver('ticket.created', { ticket: lanTicket, changes: {}, actor });
    await deliver('ticket.comment_added', {
      ticket: lanTicket,
      comment: { id: randomUUID(), body: `Chào chị Lan, về ${LAN_TEXT[1]}: chúng tôi gửi lại ngay.`, public: true,
        author: { type: 'agent', id: null, email: 'bao@shop.test', name: 'Bảo' }, attachments: [], createdAt: new Date() },
    });
    await deliver('ticket.created', { ticket: ticket({ externalId: null, email: LAN.oldEmail, name: 'Lan' }, `Hỏi đơn ${LAN_TEXT[0]}`), changes: {}, actor });

    // What the mail worker made of them: one sent, one refused (the relay quoting her address),
    // one in the middle of its SMTP conversation when the erasure arrives, the others queued.
    const [created, exception, acknowledged, reply] = await messageIds(LAN.externalId);
    const [fromOldAddress] = await messageIds(null, LAN.oldEmail);
    expect([created, exception, acknowledged, reply, fromOldAddress].every(Boolean)).toBe(true);
    await messages.claimAttempts([created!, acknowledged!, fromOldAddress!]);
    await outcome(created!, 'sent', null, LAN.email, LAN.externalId);
    await outcome(acknowledged!, 'failed', `550 5.1.1 <${LAN.email}>: mailbox unavailable`, LAN.email, LAN.externalId);

    // Her old address bounced for good: the relay's report quotes it.
    await deliver('inbound_email.bounced', {
      inboundEmailId: randomUUID(), originalMessageId: null, receivedAt: new Date(),
      recipients: [{ address: LAN.oldEmail, status: '5.1.1', action: 'failed', diagnostic: `smtp; 550 5.1.1 <${LAN.oldEmail}>: user unknown`, permanent: true }],
    });
    expect(await db.query(`SELECT address FROM notifications.undeliverable_addresses`)).toEqual([{ address: LAN.oldEmail.toLowerCase() }]);

    // Minh's order, shipment and ticket mail; a stranger's acknowledgement.
    const minhShipment = await orderWithShipment(MINH.externalId, 'ord_minh_1', 'GHN-MINH-1');
    await running.app.get(ShipmentsService).addEvent(minhShipment, { eventId: 'ev-minh-1', status: 'in_transit', occurredAt: new Date().toISOString(), description: 'Rời kho Hà Nội' });
    await deliver('ticket.created', { ticket: ticket({ externalId: MINH.externalId, email: MINH.email, name: MINH.name }, 'Giày bị rách'), changes: {}, actor });
    await deliver('ticket.created', { ticket: ticket({ externalId: null, email: 'stranger@example.com', name: null }, 'Where is my order'), changes: {}, actor });

    const needles = [LAN.email, LAN.oldEmail, LAN.name, 'Nguyễn', LAN.phone, ...LAN_TEXT];
    expect((await textOccurrences(running.db.pool, 'notifications', needles)).length).toBeGreaterThan(0);
    const lanMessages = [created!, exception!, acknowledged!, reply!, fromOldAddress!];
    const othersQuery = `SELECT * FROM notifications.outbound_messages WHERE NOT (id = ANY($1::uuid[])) ORDER BY id`;
    const others = {
      messages: await db.query(othersQuery, [lanMessages]),
      customer: await db.query(`SELECT * FROM notifications.customers WHERE external_id = $1`, [MINH.externalId]),
      events: await db.query(`SELECT * FROM notifications.shipment_events WHERE shipment_id = $1`, [minhShipment]),
    };
    const booksQuery = `SELECT id, template, locale, customer_external_id, message_id, ticket_id, shipment_id, dedupe_key, attempts, sent_at, created_at
                          FROM notifications.outbound_messages WHERE id = ANY($1::uuid[]) ORDER BY id`;
    const books = await db.query(booksQuery, [lanMessages]);
    const commerce = async () => ({
      orders: await db.query(`SELECT * FROM notifications.orders ORDER BY external_id`),
      shipments: await db.query(`SELECT * FROM notifications.shipments ORDER BY tracking_number`),
      events: await db.query(`SELECT id, shipment_id, event_id, status, occurred_at, received_at FROM notifications.shipment_events ORDER BY event_id`),
    });
    const commerceBefore = await commerce();

    await deliver('customer.erased', {
      externalId: LAN.externalId, emailHashes: [sha256(LAN.email), sha256(LAN.oldEmail)], version: 4, segmentVersion: 2, erasedAt: new Date(),
    });
    // The conversation under way ends: refused, the relay quoting the address it was given.
    await outcome(fromOldAddress!, 'failed', `550 <${LAN.oldEmail}> unknown`, LAN.oldEmail, null);

    // Nothing of hers in any text, JSON or array column of any table (the outbox included).
    expect(await textOccurrences(running.db.pool, 'notifications', needles)).toEqual([]);

    // The log keeps every message of hers with its ids and times; what was sent stays sent, what
    // failed stays failed, what waited will never go.
    expect(await db.query(booksQuery, [lanMessages])).toEqual(books);
    const log: Array<{ id: string; status: string; to_address: string | null; to_name: string | null; subject: string; text_body: string; html_body: string; error: string | null }> =
      await db.query(`SELECT id, status, to_address, to_name, subject, text_body, html_body, error FROM notifications.outbound_messages WHERE id = ANY($1::uuid[])`, [lanMessages]);
    const byId = new Map(log.map((m) => [m.id, m]));
    for (const m of log) expect(m).toMatchObject({ to_address: null, to_name: null, subject: '[erased]', text_body: '', html_body: '' });
    expect(byId.get(created!)).toMatchObject({ status: 'sent', error: null });
    expect(byId.get(acknowledged!)).toMatchObject({ status: 'failed', error: '[erased]' });
    expect(byId.get(fromOldAddress!)).toMatchObject({ status: 'failed', error: '[erased]' });
    expect(byId.get(exception!)).toMatchObject({ status: 'suppressed', error: 'not sent: the customer was erased' });
    expect(byId.get(reply!)).toMatchObject({ status: 'suppressed', error: 'not sent: the customer was erased' });
    expect(await messages.claimAttempts([exception!, reply!])).toEqual([]);

    // Orders, shipments and tracking events stay; only the carrier's free text goes.
    expect(await commerce()).toEqual(commerceBefore);
    expect(await db.query(`SELECT description FROM notifications.shipment_events WHERE shipment_id = $1`, [lanShipment])).toEqual([{ description: null }]);
    const incident: Array<{ payload: Record<string, unknown> }> = await db.query(`SELECT payload FROM notifications.outbox WHERE event = 'shipment.incident'`);
    expect(incident.map((r) => r.payload)).toEqual([
      expect.objectContaining({ customerExternalId: LAN.externalId, customerEmail: null, customerName: null, description: null, trackingNumber: 'GHN-LAN-1' }),
    ]);

    // Minh and the stranger: exactly as before.
    expect({
      messages: await db.query(othersQuery, [lanMessages]),
      customer: await db.query(`SELECT * FROM notifications.customers WHERE external_id = $1`, [MINH.externalId]),
      events: await db.query(`SELECT * FROM notifications.shipment_events WHERE shipment_id = $1`, [minhShipment]),
    }).toEqual(others);
  });

  it('mails nothing about a ticket from before the erasure whose events arrive after it, and answers a new one', async () => {
    const count = async () => (await db.query(`SELECT count(*)::int AS n FROM notifications.outbound_messages`))[0].n as number;
    const before = await count();
    const old = ticket({ externalId: LAN.externalId, email: LAN.email, name: LAN.name }, 'Còn hàng không?', new Date(Date.now() - 60_000));
    await deliver('ticket.created', { ticket: old, changes: {}, actor });
    await deliver('ticket.comment_added', {
      ticket: old,
      comment: { id: randomUUID(), body: 'Chào chị, còn ạ.', public: true, author: { type: 'agent', id: null, email: null, name: null }, attachments: [], createdAt: new Date() },
    });
    expect(await count()).toBe(before);

    // She writes again after the erasure: a new request, acknowledged at the address she gave.
    await deliver('ticket.created', { ticket: ticket({ externalId: LAN.externalId, email: LAN.email, name: null }, 'Xin chào lại', new Date(Date.now() + 1000)), changes: {}, actor });
    expect(await db.query(`SELECT to_address, status FROM notifications.outbound_messages ORDER BY created_at DESC LIMIT 1`)).toEqual([{ to_address: LAN.email, status: 'queued' }]);
  });

  it('scrubs webhook messages about the customer and does not deliver the ones still waiting', async () => {
    const endpoint = randomUUID();
    await db.query(
      `INSERT INTO notifications.webhook_endpoints (id, url, events, secret) VALUES ($1, 'https://hooks.shop.test/careflow', '{*}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')`,
      [endpoint],
    );
    const eventTypes = ['customer.upserted', 'ticket.created', 'notification.sent'] as const;
    // by the shop's id; by an old address only (a ticket opened before the shop knew her); someone else
    const bodies = [
      { type: eventTypes[0], timestamp: '2026-12-01T08:00:00.000Z', data: { externalId: 'cus_wh_lan', email: 'wh.lan@example.com', name: 'Nguyễn Thị Lan', version: 1 } },
      { type: eventTypes[1], timestamp: '2026-12-01T08:01:00.000Z', data: { ticket: { subject: 'Gate code 4417', customer: { externalId: null, email: 'WH.Lan.Old@Example.com', name: 'Lan' } } } },
      { type: eventTypes[2], timestamp: '2026-12-01T08:02:00.000Z', data: { to: 'wh.minh@example.com', customerExternalId: 'cus_wh_minh', template: 'ticket_reply' } },
    ];
    const ids = bodies.map((_, i) => `msg_erasetest${i}${randomUUID().replace(/-/g, '').slice(0, 14)}`);
    for (const [i, body] of bodies.entries()) {
      await db.query(`INSERT INTO notifications.webhook_messages (id, type, body) VALUES ($1, $2, $3)`, [ids[i], body.type, JSON.stringify(body)]);
      await db.query(`INSERT INTO notifications.webhook_deliveries (id, message_id, endpoint_id, next_attempt_at) VALUES ($1, $2, $3, now() + interval '1 hour')`, [randomUUID(), ids[i], endpoint]);
    }

    await deliver('customer.erased', { externalId: 'cus_wh_lan', emailHashes: [sha256('wh.lan@example.com'), sha256('wh.lan.old@example.com')], version: 2, segmentVersion: 1, erasedAt: new Date().toISOString() });

    const rows: Array<{ id: string; body: { type: string; timestamp: string; data: unknown }; status: string; last_error: string | null }> = await db.query(
      `SELECT m.id, m.body, d.status, d.last_error FROM notifications.webhook_messages m JOIN notifications.webhook_deliveries d ON d.message_id = m.id WHERE m.id = ANY($1) ORDER BY m.id`,
      [ids],
    );
    expect(rows.map((r) => ({ id: r.id, body: r.body, status: r.status, error: r.last_error }))).toEqual([
      { id: ids[0], body: { type: 'customer.upserted', timestamp: '2026-12-01T08:00:00.000Z', data: { erased: true } }, status: 'failed', error: 'not sent: the customer was erased' },
      { id: ids[1], body: { type: 'ticket.created', timestamp: '2026-12-01T08:01:00.000Z', data: { erased: true } }, status: 'failed', error: 'not sent: the customer was erased' },
      { id: ids[2], body: bodies[2], status: 'pending', error: null },
    ]);
    await db.query(`DELETE FROM notifications.webhook_endpoints WHERE id = $1`, [endpoint]);
  });

  it('keeps a tombstone that older upserts cannot bring back to life, and a newer upsert ends', async () => {
    const projection = async () =>
      (await db.query(`SELECT email, name, locale, version, undeliverable_reason, erased_at IS NOT NULL AS erased FROM notifications.customers WHERE external_id = $1`, [LAN.externalId]))[0];
    const tombstone = { email: null, name: null, locale: null, version: 4, undeliverable_reason: null, erased: true };
    expect(await projection()).toEqual(tombstone);
    await upsert({ externalId: LAN.externalId, email: LAN.email, name: LAN.name }, 3);
    expect(await projection()).toEqual(tombstone);
    // Her shipments' notices find no address to write to.
    const shipment: Array<{ id: string }> = await db.query(`SELECT s.id FROM notifications.shipments s JOIN notifications.orders o ON o.id = s.order_id WHERE o.external_id = 'ord_lan_1'`);
    await running.app.get(ShipmentsService).addEvent(shipment[0]!.id, { eventId: 'ev-lan-2', status: 'delivered', occurredAt: new Date().toISOString() });
    expect(await db.query(`SELECT to_address, status FROM notifications.outbound_messages WHERE dedupe_key LIKE $1`, [`shipment:${shipment[0]!.id}:delivered%`])).toEqual([
      { to_address: null, status: 'suppressed' },
    ]);

    await upsert({ externalId: LAN.externalId, email: LAN.email, name: 'Lan N.' }, 5);
    expect(await projection()).toEqual({ email: LAN.email, name: 'Lan N.', locale: 'vi', version: 5, undeliverable_reason: null, erased: false });
  });

  it('hashes addresses exactly as the contract does', async () => {
    const [row] = await db.query(`SELECT notifications.email_hash($1) AS hash`, [' Lan.Old@Example.COM ']);
    expect(row.hash).toBe(sha256('lan.old@example.com'));
  });
});
