import { emailHashSql, type JobName, type JobPayload, type TicketActor } from '@careflow/contracts';
import { textOccurrences } from '@careflow/testing';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CommentsService } from '../src/modules/comments/comments.service.js';
import { TicketsIncomingProcessor } from '../src/modules/incoming/tickets-incoming.processor.js';
import { searchQuery } from '../src/modules/tickets/search-terms.js';
import { TicketChanges } from '../src/modules/tickets/ticket-changes.js';
import { TicketsRepository } from '../src/modules/tickets/tickets.repository.js';
import { useTicketsApp } from './app.support.js';

const API: TicketActor = { type: 'api_key', id: 'key_1' };
const CUSTOMER_ACTOR: TicketActor = { type: 'customer', id: null };
const AGENT = { type: 'agent' as const, id: null, email: 'minh.agent@shop.test', name: 'Agent Bảo' };

/** The customer who asks to be forgotten, and everything of theirs the tickets may hold. */
const LAN = {
  externalId: 'cus_erase_lan',
  email: 'lan.nguyen@example.com',
  // an address she used before, known to segmentation: her mail from it opened a ticket without the shop's id
  oldEmail: 'Lan.Old@Example.com',
  name: 'Nguyễn Thị Lan',
  phone: '+84 912 345 678',
  tag: 'tag-hoankiem',
};
/** Free text only she wrote (distinct words, so any copy of it is found). */
const LAN_TEXT = ['QX7781', '4491Z', 'Hàng Bạc', 'ZEBRAFISH'];

const MINH = { externalId: 'cus_keep_minh', email: 'minh.tran@example.com', name: 'Trần Văn Minh', phone: '+84 987 000 111' };

const sha256 = (address: string) => createHash('sha256').update(address.trim().toLowerCase()).digest('hex');

/**
 * Erasure in the tickets service, driven through the incoming-queue worker as the job arrives:
 * every text column of every table of the schema is searched for what the customer was and
 * wrote, another customer's rows are compared before and after, and the tombstone keeps older
 * events from bringing the data back.
 */
describe('customer erasure in tickets', () => {
  const running = useTicketsApp({ WORKERS_ENABLED: 'false' });
  let db: DataSource;
  let worker: TicketsIncomingProcessor;
  let changes: TicketChanges;
  let comments: CommentsService;
  let tickets: TicketsRepository;

  beforeAll(() => {
    db = running.dataSource;
    worker = running.get(TicketsIncomingProcessor);
    changes = running.get(TicketChanges);
    comments = running.get(CommentsService);
    tickets = running.get(TicketsRepository);
  });

  /** A job as BullMQ would hand it to the worker. */
  function deliver<N extends JobName>(name: N, data: JobPayload<N> | Record<string, unknown>): Promise<'handled' | 'duplicate'> {
    const eventId = randomUUID();
    return worker.process({ id: eventId, name, data: JSON.parse(JSON.stringify({ eventId, occurredAt: new Date(), data })) });
  }

  const upsert = (c: { externalId: string; email: string | null; name: string | null; phone: string | null }, version: number, extra: Record<string, unknown> = {}) =>
    deliver('customer.upserted', { ...c, locale: 'vi', tags: [], vip: null, version, updatedAt: new Date(), ...extra });

  /** Returns the message's Message-ID, for a reply to name. */
  async function inboundMail(from: string, fromName: string, subject: string, text: string, replyTo: string[]): Promise<string> {
    const messageId = `<${randomUUID()}@mail.example.com>`;
    await deliver('inbound_email.parsed', {
      inboundEmailId: randomUUID(),
      messageId,
      replyTo,
      fromAddress: from,
      fromName,
      ccAddresses: ['support@shop.test'],
      recipients: ['support@shop.test'],
      subject,
      text,
      html: `<p>${text}</p>`,
      groupKey: null,
      acknowledge: true,
      attachments: [{ name: `photo-${text.slice(0, 6)}.jpg`, contentType: 'image/jpeg', size: 2048, contentRef: `inbound:${randomUUID()}:2` }],
      receivedAt: new Date(),
    });
    return messageId;
  }

  async function rows(table: string, ticketIds: string[]): Promise<unknown[]> {
    const column = table === 'tickets' ? 'id' : 'ticket_id';
    return db.query(`SELECT * FROM tickets.${table} WHERE ${column} = ANY($1::uuid[]) ORDER BY ${column}, ${table === 'ticket_events' ? 'seq' : 'created_at'}`, [ticketIds]);
  }

  it('leaves no personal data of the customer in any table, keeps the tickets for the books, and touches no one else', async () => {
    // Lan as segmentation announced her, with a segment and its care policy.
    await upsert(LAN, 3, { tags: [LAN.tag] });
    await deliver('customer.segment_changed', {
      externalId: LAN.externalId, previousSegment: null, segment: 'vip', segments: ['vip', 'tea_lovers'],
      policy: { priorityBump: 1, slaPolicy: 'vip', preferredChannel: 'email' }, version: 2,
    });
    await upsert(MINH, 1);

    // Her ticket through the API, with her reply, an agent's answer and an internal note.
    const fromApi = await changes.open(db.manager, {
      subject: `Ấm trà ${LAN_TEXT[0]} bị vỡ`,
      description: `Giao đến 12 ${LAN_TEXT[2]}, mã cổng ${LAN_TEXT[1]}. Gọi ${LAN.phone}.`,
      customer: { externalId: LAN.externalId, email: LAN.email, name: LAN.name },
      channel: 'web',
      tags: ['broken'],
      orderExternalId: 'ord_lan_1',
    }, API);
    await comments.add(fromApi.id, {
      body: `Ảnh kèm theo, con cá ${LAN_TEXT[3]} trên hộp.`, public: true,
      author: { type: 'customer', id: null, email: null, name: null },
      attachments: [{ name: `hop-${LAN_TEXT[0]}.jpg`, contentType: 'image/jpeg', size: 1024, contentRef: 'inbound:x:1' }],
    }, CUSTOMER_ACTOR);
    await comments.add(fromApi.id, { body: `Chào Lan, chúng tôi đã gửi lại cho chị ${LAN.name} (${LAN.email}).`, public: true, author: AGENT, attachments: [] }, API);
    await comments.add(fromApi.id, { body: `Customer phoned from ${LAN.phone}, wants a refund.`, public: false, author: AGENT, attachments: [] }, API);

    // Her mail from the old address: a ticket without the shop's id, and her reply into it.
    const asked = await inboundMail(LAN.oldEmail, 'Lan Nguyen', `Hỏi về đơn ${LAN_TEXT[1]}`, `Tôi là Lan, địa chỉ ${LAN_TEXT[2]}.`, []);
    await inboundMail(LAN.oldEmail, 'Lan Nguyen', `Re: Hỏi về đơn ${LAN_TEXT[1]}`, `Còn ${LAN_TEXT[3]} nữa.`, [asked]);

    // A closed ticket of hers that her reply followed up.
    const closed = await changes.open(db.manager, {
      subject: `Đổi size ${LAN_TEXT[0]}`, description: 'Cỡ M.', customer: { externalId: LAN.externalId, email: LAN.email, name: LAN.name }, channel: 'email',
    }, API);
    await db.transaction(async (tx) => changes.applyChange(tx, await tickets.find(closed.id, tx, true), { status: 'solved' }, API));
    await db.transaction(async (tx) => changes.applyChange(tx, await tickets.find(closed.id, tx, true), { status: 'closed' }, API));
    await comments.add(closed.id, { body: `Vẫn sai cỡ, ${LAN_TEXT[3]}.`, public: true, author: { type: 'customer', id: null, email: null, name: null }, attachments: [] }, CUSTOMER_ACTOR);

    // Minh's tickets, and one from a stranger's address: none of it is Lan's.
    const minhTicket = await changes.open(db.manager, {
      subject: 'Giày MINH-ONLY bị rách', description: 'Đế giày bong ra.', customer: { externalId: MINH.externalId, email: MINH.email, name: MINH.name }, channel: 'web',
    }, API);
    await comments.add(minhTicket.id, { body: `Gọi tôi: ${MINH.phone}`, public: true, author: { type: 'customer', id: null, email: null, name: null }, attachments: [] }, CUSTOMER_ACTOR);
    await comments.add(minhTicket.id, { body: `Chào ${MINH.name}, đã ghi nhận.`, public: true, author: AGENT, attachments: [] }, API);
    await inboundMail('stranger@example.com', 'Stranger', 'Where is my order', 'It has been a week.', []);

    const lanIds: string[] = (await db.query(
      `SELECT id FROM tickets.tickets WHERE customer_external_id = $1 OR customer_email = $2 ORDER BY number`,
      [LAN.externalId, LAN.oldEmail],
    )).map((r: { id: string }) => r.id);
    expect(lanIds).toHaveLength(4); // API ticket, mail ticket, the closed one and its follow-up
    const otherIds: string[] = (await db.query(`SELECT id FROM tickets.tickets WHERE NOT (id = ANY($1::uuid[]))`, [lanIds])).map((r: { id: string }) => r.id);
    expect(otherIds).toHaveLength(2);

    const needles = [LAN.email, LAN.oldEmail, LAN.name, 'Nguyễn', LAN.phone, LAN.tag, ...LAN_TEXT];
    expect((await textOccurrences(running.db.pool, 'tickets', needles)).length).toBeGreaterThan(0);
    const others = { tickets: await rows('tickets', otherIds), comments: await rows('comments', otherIds), events: await rows('ticket_events', otherIds) };
    const books = async () => db.query(
      `SELECT id, number, status, priority, type, channel, segment, customer_external_id, order_external_id, follow_up_of, tags,
              first_response_due_at, resolution_due_at, solved_at, closed_at, created_at, updated_at,
              (SELECT count(*)::int FROM tickets.comments c WHERE c.ticket_id = t.id) AS comments
         FROM tickets.tickets t WHERE id = ANY($1::uuid[]) ORDER BY number`,
      [lanIds],
    );
    const booksBefore = await books();
    const minhBefore = await db.query(`SELECT * FROM tickets.customers WHERE external_id = $1`, [MINH.externalId]);

    const erasedAt = new Date();
    await deliver('customer.erased', {
      externalId: LAN.externalId, emailHashes: [sha256(LAN.email), sha256(LAN.oldEmail)], version: 4, segmentVersion: 3, erasedAt,
    });

    // Nothing of hers in any text, JSON, array or search column of any table (outbox included).
    expect(await textOccurrences(running.db.pool, 'tickets', needles)).toEqual([]);

    // Her tickets are still there for the books: numbers, statuses, times, order, comments.
    expect(await books()).toEqual(booksBefore);
    const scrubbed: Array<{ subject: string; description: string; customer_email: string | null; customer_name: string | null }> = await db.query(
      `SELECT subject, description, customer_email, customer_name FROM tickets.tickets WHERE id = ANY($1::uuid[])`,
      [lanIds],
    );
    expect(scrubbed).toEqual(lanIds.map(() => ({ subject: '[erased]', description: '', customer_email: null, customer_name: null })));

    // Her comments lose text, attachments and author; the agents' keep theirs without her details.
    const thread: Array<{ author_type: string; body: string; html: string | null; author_email: string | null; author_name: string | null; attachments: unknown[] }> =
      await db.query(`SELECT author_type, body, html, author_email, author_name, attachments FROM tickets.comments WHERE ticket_id = $1 ORDER BY created_at`, [fromApi.id]);
    expect(thread).toEqual([
      { author_type: 'customer', body: '[erased]', html: null, author_email: null, author_name: null, attachments: [] },
      { author_type: 'agent', body: 'Chào [erased], chúng tôi đã gửi lại cho chị [erased] ([erased]).', html: null, author_email: AGENT.email, author_name: AGENT.name, attachments: [] },
      { author_type: 'agent', body: 'Customer phoned from [erased], wants a refund.', html: null, author_email: AGENT.email, author_name: AGENT.name, attachments: [] },
    ]);

    // Full-text search no longer finds her words (the vectors were written again from what is
    // left: the agents' words are still found); each ticket's audit trail records the erasure.
    const search = (q: string): Promise<Array<{ id: string }>> => db.query(
      `SELECT t.id FROM tickets.tickets t WHERE t.search @@ $1::tsquery
        OR EXISTS (SELECT 1 FROM tickets.comments c WHERE c.ticket_id = t.id AND c.search @@ $1::tsquery)`,
      [searchQuery(q)],
    );
    expect(await search(LAN_TEXT[3])).toEqual([]);
    expect(await search(LAN.name)).toEqual([]);
    expect(await search('wants a refund')).toEqual([{ id: fromApi.id }]);
    const erasures: Array<{ ticket_id: string; actor_type: string; data: { erasedAt: string } }> = await db.query(
      `SELECT ticket_id, actor_type, data FROM tickets.ticket_events WHERE type = 'customer_erased' ORDER BY ticket_id`,
    );
    expect(erasures.map((e) => e.ticket_id)).toEqual([...lanIds].sort());
    expect(erasures.every((e) => e.actor_type === 'system' && new Date(e.data.erasedAt).getTime() === erasedAt.getTime())).toBe(true);

    // Events still waiting in the outbox say nothing about her either, and stay valid: a
    // ticket's customer keeps an empty address, an observation of her old address names no one.
    const pending: Array<{ event: string; payload: Record<string, unknown> }> = await db.query(
      `SELECT event, payload FROM tickets.outbox WHERE payload #>> '{ticket,id}' = ANY($1::text[]) OR event = 'customer.observed' ORDER BY seq`,
      [lanIds],
    );
    const observed = pending.filter((p) => p.event === 'customer.observed');
    expect(observed.map((p) => p.payload)).toContainEqual(expect.objectContaining({ externalId: null, email: null, name: null, source: 'ticket' }));
    for (const { payload } of pending.filter((p) => p.event.startsWith('ticket.'))) {
      expect(payload['ticket']).toMatchObject({ subject: '[erased]', customer: { email: '', name: null, locale: null } });
    }

    // Minh, his tickets and the stranger's are exactly as they were.
    expect({ tickets: await rows('tickets', otherIds), comments: await rows('comments', otherIds), events: await rows('ticket_events', otherIds) }).toEqual(others);
    expect(await db.query(`SELECT * FROM tickets.customers WHERE external_id = $1`, [MINH.externalId])).toEqual(minhBefore);
  });

  it('keeps a tombstone that older events cannot bring back to life, and a newer upsert ends', async () => {
    const projection = async () =>
      (await db.query(
        `SELECT email, name, phone, locale, tags, vip, segment, segments, priority_bump, sla_policy, version, segment_version, erased_at IS NOT NULL AS erased
           FROM tickets.customers WHERE external_id = $1`,
        [LAN.externalId],
      ))[0];
    const tombstone = { email: null, name: null, phone: null, locale: null, tags: [], vip: null, segment: null, segments: [], priority_bump: null, sla_policy: null, version: 4, segment_version: 3, erased: true };
    expect(await projection()).toEqual(tombstone);

    // Events older than the erasure, still in queues (a retry, a re-publish), change nothing.
    await upsert(LAN, 3);
    await deliver('customer.segment_changed', { externalId: LAN.externalId, previousSegment: null, segment: 'vip', segments: ['vip'], version: 3 });
    expect(await projection()).toEqual(tombstone);
    // A new ticket from her address alone does not find the tombstone by e-mail.
    expect(await running.app.get(TicketsRepository).find((await changes.open(db.manager, {
      subject: 'Xin chào', description: '…', customer: { email: LAN.email }, channel: 'email',
    }, API)).id)).toMatchObject({ customerExternalId: null, customerEmail: LAN.email });

    // The shop creates her again: a newer upsert applies and ends the erasure.
    await upsert({ ...LAN, name: 'Lan N.' }, 5);
    expect(await projection()).toMatchObject({ email: LAN.email, name: 'Lan N.', phone: LAN.phone, version: 5, segment_version: 3, erased: false });
  });

  it('erases a customer it never heard of as a tombstone, so their first upsert, if older, stays out', async () => {
    await deliver('customer.erased', { externalId: 'cus_never_seen', emailHashes: [sha256('never@example.com')], version: 2, segmentVersion: 1, erasedAt: new Date() });
    await upsert({ externalId: 'cus_never_seen', email: 'never@example.com', name: 'Never', phone: null }, 1);
    expect(await db.query(`SELECT email, version, erased_at IS NOT NULL AS erased FROM tickets.customers WHERE external_id = 'cus_never_seen'`)).toEqual([
      { email: null, version: 2, erased: true },
    ]);
  });

  it('hashes addresses exactly as the contract does', async () => {
    const address = '  Lan.Old@Example.COM ';
    const [row] = await db.query(`SELECT tickets.email_hash($1) AS indexed, ${emailHashSql('$1::text')} AS contract`, [address]);
    expect(row).toEqual({ indexed: sha256(address), contract: sha256(address) });
  });
});
