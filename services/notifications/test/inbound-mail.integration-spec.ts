import { ticketIdOfMessageId, type JobName, type JobPayload } from '@careflow/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotificationsIncomingProcessor } from '../src/modules/incoming/notifications-incoming.processor.js';
import { NotificationsLogService } from '../src/modules/notifications-log/notifications-log.service.js';
import { OrdersService } from '../src/modules/orders/orders.service.js';
import { ShipmentsService } from '../src/modules/shipments/shipments.service.js';
import { useNotificationsApp } from './app.support.js';

interface LoggedMessage {
  id: string;
  template: string;
  to_address: string | null;
  status: string;
  error: string | null;
  message_id: string;
  in_reply_to: string | null;
  references: string[];
  ticket_id: string | null;
}

/**
 * What inbound mail means for outbound mail, driven through the incoming-queue worker as the
 * jobs arrive: acknowledgements of mail answer in its thread (or not at all, for mailing
 * lists), and an address that bounced for good is not mailed again, by any path.
 */
describe('notifications and inbound mail', () => {
  const running = useNotificationsApp({ WORKERS_ENABLED: 'false', MAIL_FROM: 'Support <support@shop.test>' });
  let db: DataSource;
  let worker: NotificationsIncomingProcessor;

  beforeAll(() => {
    db = running.dataSource;
    worker = running.get(NotificationsIncomingProcessor);
  });

  function deliver<N extends JobName>(name: N, data: JobPayload<N> | Record<string, unknown>): Promise<'handled' | 'duplicate'> {
    const eventId = randomUUID();
    return worker.process({ id: eventId, name, data: JSON.parse(JSON.stringify({ eventId, occurredAt: new Date(), data })) });
  }

  function ticket(customer: { externalId: string | null; email: string; name?: string | null }) {
    const createdAt = new Date();
    return {
      id: randomUUID(), number: 1000 + Math.floor(Math.random() * 100_000), subject: 'Where is my parcel?', status: 'new', priority: 'normal', type: 'question',
      channel: 'email', segment: null, group: null, groupAddress: null, assignee: null, tags: [], customer: { name: null, locale: 'en', ...customer },
      orderExternalId: null, firstResponseDueAt: new Date(createdAt.getTime() + 3600_000), resolutionDueAt: null, createdAt, updatedAt: createdAt,
    };
  }
  const actor = { type: 'customer', id: null };

  /** Announces a new ticket of the customer; returns what the log recorded for it. */
  async function acknowledge(customer: { externalId: string | null; email: string }, inboundMail?: { messageId: string; acknowledge: boolean }): Promise<LoggedMessage> {
    const t = ticket(customer);
    await deliver('ticket.created', { ticket: t, changes: {}, actor, ...(inboundMail ? { inboundMail } : {}) });
    const rows: LoggedMessage[] = await db.query(`SELECT * FROM notifications.outbound_messages WHERE ticket_id = $1`, [t.id]);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  /** Whether a mail.send job was written for the message. */
  async function sendJobFor(id: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM notifications.outbox WHERE event = 'mail.send' AND payload -> 'messages' @> $1::jsonb`, [JSON.stringify([{ id }])]);
    return rows.length > 0;
  }

  function bounce(recipients: Array<{ address: string; status: string | null; diagnostic: string | null; permanent: boolean }>) {
    return deliver('inbound_email.bounced', {
      inboundEmailId: randomUUID(),
      originalMessageId: `<cf.${randomUUID()}.abc123@shop.test>`,
      recipients: recipients.map((r) => ({ action: r.permanent ? 'failed' : 'delayed', ...r })),
      receivedAt: new Date(),
    });
  }

  it('acknowledges a ticket opened by mail in the thread of the customer\'s message, with the ticket id in its own Message-ID', async () => {
    const ack = await acknowledge({ externalId: null, email: 'lan@example.com' }, { messageId: '<CAF=x1@mail.example.com>', acknowledge: true });
    expect(ack).toMatchObject({ template: 'ticket_acknowledged', status: 'queued', error: null, in_reply_to: '<CAF=x1@mail.example.com>', references: ['<CAF=x1@mail.example.com>'] });
    expect(ticketIdOfMessageId(ack.message_id)).toBe(ack.ticket_id);
    expect(ack.message_id).toMatch(/@shop\.test>$/);
    expect(await sendJobFor(ack.id)).toBe(true);

    // A ticket opened otherwise starts its own thread.
    const plain = await acknowledge({ externalId: null, email: 'lan@example.com' });
    expect(plain).toMatchObject({ status: 'queued', in_reply_to: null, references: [] });
  });

  it('does not answer mailing-list mail, and says so in the log', async () => {
    const ack = await acknowledge({ externalId: null, email: 'list@lists.example.com' }, { messageId: '<list-1@lists.example.com>', acknowledge: false });
    expect(ack).toMatchObject({ status: 'suppressed', error: 'mailing-list mail gets no automatic answer (RFC 3834)' });
    expect(await sendJobFor(ack.id)).toBe(false);
  });

  it('stops mailing an address that bounced for good, with or without a customer behind it, and names the reason in the log', async () => {
    await deliver('customer.upserted', { externalId: 'cus_bounce', email: 'Mai@Example.com', name: 'Mai', phone: null, locale: 'en', tags: [], vip: null, version: 1, updatedAt: new Date() });
    await bounce([
      { address: 'Mai@example.com', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown', permanent: true },
      { address: 'ticket-only@example.com', status: '5.2.1', diagnostic: 'smtp; 550 mailbox disabled', permanent: true },
    ]);

    const known = await acknowledge({ externalId: 'cus_bounce', email: 'mai@example.com' });
    expect(known).toMatchObject({ status: 'suppressed', error: "the customer's address is undeliverable: 5.1.1 smtp; 550 5.1.1 user unknown" });
    expect(await sendJobFor(known.id)).toBe(false);
    const ticketOnly = await acknowledge({ externalId: null, email: 'Ticket-Only@example.com' });
    expect(ticketOnly).toMatchObject({ status: 'suppressed', error: 'the address is undeliverable: 5.2.1 smtp; 550 mailbox disabled' });
    expect(await sendJobFor(ticketOnly.id)).toBe(false);

    // The log shows it.
    const log = await running.app.get(NotificationsLogService).list({ customerExternalId: 'cus_bounce', limit: 50 });
    expect(log.data).toEqual([expect.objectContaining({ template: 'ticket_acknowledged', status: 'suppressed', error: "the customer's address is undeliverable: 5.1.1 smtp; 550 5.1.1 user unknown" })]);

    // A customer who is given that address later is not mailed at it either: a shipment notice too.
    await deliver('customer.upserted', { externalId: 'cus_later', email: 'ticket-only@example.com', name: null, phone: null, locale: 'en', tags: [], vip: null, version: 1, updatedAt: new Date() });
    await running.app.get(OrdersService).record({
      externalId: 'ord_later', customerExternalId: 'cus_later', channel: 'online', total: '10.00', currency: 'EUR', placedAt: new Date().toISOString(), items: [],
    });
    await running.app.get(ShipmentsService).create('ord_later', { carrier: 'UPS', trackingNumber: '1ZLATER0001' });
    const [notice]: LoggedMessage[] = await db.query(`SELECT * FROM notifications.outbound_messages WHERE customer_external_id = 'cus_later'`);
    expect(notice).toMatchObject({ template: 'shipment_created', status: 'suppressed', error: 'the address is undeliverable: 5.2.1 smtp; 550 mailbox disabled' });
    expect(await sendJobFor(notice!.id)).toBe(false);

    // A new address for the customer is mailed again; the old one stays undeliverable.
    await deliver('customer.upserted', { externalId: 'cus_bounce', email: 'mai.new@example.com', name: 'Mai', phone: null, locale: 'en', tags: [], vip: null, version: 2, updatedAt: new Date() });
    expect(await acknowledge({ externalId: 'cus_bounce', email: 'mai.new@example.com' })).toMatchObject({ status: 'queued', error: null });
    expect(await acknowledge({ externalId: null, email: 'mai@example.com' })).toMatchObject({ status: 'suppressed', error: 'the address is undeliverable: 5.1.1 smtp; 550 5.1.1 user unknown' });
  });

  it('keeps mailing an address whose delivery failed only for now', async () => {
    await deliver('customer.upserted', { externalId: 'cus_full', email: 'full@example.com', name: null, phone: null, locale: 'en', tags: [], vip: null, version: 1, updatedAt: new Date() });
    await bounce([
      { address: 'full@example.com', status: '4.2.2', diagnostic: 'smtp; 452 mailbox full', permanent: false },
      { address: 'grey@example.com', status: '4.7.1', diagnostic: 'greylisted', permanent: false },
    ]);
    expect(await acknowledge({ externalId: 'cus_full', email: 'full@example.com' })).toMatchObject({ status: 'queued', error: null });
    expect(await acknowledge({ externalId: null, email: 'grey@example.com' })).toMatchObject({ status: 'queued', error: null });
    expect(await db.query(`SELECT address FROM notifications.undeliverable_addresses WHERE address IN ('full@example.com', 'grey@example.com')`)).toEqual([]);
  });
});
