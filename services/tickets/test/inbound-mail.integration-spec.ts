import { ticketMessageId, type InboundEmailParsedPayload, type InboundEmailRoutedPayload, type JobName, type JobPayload, type TicketActor, type TicketChangedPayload } from '@careflow/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CommentsService } from '../src/modules/comments/comments.service.js';
import { GroupsService } from '../src/modules/groups/groups.service.js';
import { TicketsIncomingProcessor } from '../src/modules/incoming/tickets-incoming.processor.js';
import { TicketChanges } from '../src/modules/tickets/ticket-changes.js';
import { TicketsRepository } from '../src/modules/tickets/tickets.repository.js';
import type { TicketRecord } from '../src/modules/tickets/ticket.record.js';
import { useTicketsApp } from './app.support.js';

const API: TicketActor = { type: 'api_key', id: null };

/**
 * Inbound mail in tickets, driven through the incoming-queue worker as email-ingest's jobs
 * arrive: where each message goes (thread ids, subject token, participants, groups), what it
 * becomes, and the `inbound_email.routed` answer written with it.
 */
describe('inbound mail routing', () => {
  const running = useTicketsApp({ WORKERS_ENABLED: 'false' });
  let db: DataSource;
  let worker: TicketsIncomingProcessor;
  let changes: TicketChanges;
  let tickets: TicketsRepository;
  let comments: CommentsService;
  let groups: GroupsService;

  beforeAll(() => {
    db = running.dataSource;
    worker = running.get(TicketsIncomingProcessor);
    changes = running.get(TicketChanges);
    tickets = running.get(TicketsRepository);
    comments = running.get(CommentsService);
    groups = running.get(GroupsService);
  });

  /** A job as BullMQ would hand it to the worker (a redelivery passes the same event id). */
  function deliver<N extends JobName>(name: N, data: JobPayload<N> | Record<string, unknown>, eventId = randomUUID()): Promise<'handled' | 'duplicate'> {
    return worker.process({ id: eventId, name, data: JSON.parse(JSON.stringify({ eventId, occurredAt: new Date(), data })) });
  }

  function mail(over: Partial<InboundEmailParsedPayload> = {}): InboundEmailParsedPayload {
    const id = randomUUID();
    return {
      inboundEmailId: id,
      messageId: `<${id}@mail.example.com>`,
      replyTo: [],
      fromAddress: 'lan@example.com',
      fromName: 'Lan Nguyen',
      ccAddresses: [],
      recipients: ['help@shop.test'],
      subject: 'Where is my parcel?',
      text: 'It has been a week.',
      html: null,
      groupKey: null,
      acknowledge: true,
      attachments: [],
      receivedAt: new Date(),
      ...over,
    };
  }

  async function routed(inboundEmailId: string): Promise<InboundEmailRoutedPayload[]> {
    const rows: Array<{ payload: InboundEmailRoutedPayload }> = await db.query(
      `SELECT payload FROM tickets.outbox WHERE event = 'inbound_email.routed' AND payload ->> 'inboundEmailId' = $1 ORDER BY seq`,
      [inboundEmailId],
    );
    return rows.map((r) => r.payload);
  }

  /** Delivers the message and returns the one routing answer it got, and the ticket it names. */
  async function route(m: InboundEmailParsedPayload): Promise<{ routed: InboundEmailRoutedPayload; ticket: TicketRecord }> {
    await deliver('inbound_email.parsed', m);
    const [answer, ...more] = await routed(m.inboundEmailId);
    expect(more).toEqual([]);
    return { routed: answer!, ticket: await tickets.find(answer!.ticketId) };
  }

  async function created(ticketId: string): Promise<TicketChangedPayload> {
    const rows: Array<{ payload: TicketChangedPayload }> = await db.query(
      `SELECT payload FROM tickets.outbox WHERE event = 'ticket.created' AND payload #>> '{ticket,id}' = $1`,
      [ticketId],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!.payload;
  }

  const thread = async (ticketId: string) => (await comments.list(ticketId, 50)).data;
  const setStatus = (id: string, status: 'solved' | 'closed' | 'pending') =>
    db.transaction(async (tx) => changes.applyChange(tx, await tickets.find(id, tx, true), { status }, API));

  it('opens a ticket from a new message, and announces where it went and how to acknowledge it', async () => {
    const m = mail({ fromAddress: 'Mai.Anh@Example.com', fromName: 'Mai Anh', acknowledge: false });
    const { routed: answer, ticket } = await route(m);
    expect(answer).toEqual({ inboundEmailId: m.inboundEmailId, outcome: 'ticket_created', ticketId: ticket.id, ticketNumber: ticket.number, commentId: null, reason: 'new ticket' });
    expect(ticket).toMatchObject({ channel: 'email', subject: m.subject, description: m.text, customerEmail: 'Mai.Anh@Example.com', customerName: 'Mai Anh', groupKey: null, status: 'new' });
    expect((await created(ticket.id)).inboundMail).toEqual({ messageId: m.messageId, acknowledge: false });
    expect(await thread(ticket.id)).toEqual([]);
  });

  it('keeps the attachments of a message that opens a ticket on its first comment', async () => {
    const m = mail({ html: '<p>It has been a week.</p>', attachments: [{ name: 'label.jpg', contentType: 'image/jpeg', size: 2048, contentRef: 'inbound:x:2' }] });
    const { routed: answer, ticket } = await route(m);
    const [first, ...rest] = await thread(ticket.id);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ public: true, body: m.text, author: { type: 'customer', email: 'lan@example.com' }, attachments: m.attachments });
    expect(answer).toMatchObject({ outcome: 'ticket_created', commentId: first!.id, reason: 'new ticket' });
    expect(ticket.status).toBe('new');
  });

  it('threads a reply by In-Reply-To to a message the ticket received, and from anyone who was on the thread', async () => {
    await groups.create({ key: 'desk', name: 'Front desk', inboundAddresses: ['desk@shop.test'] });
    const first = mail({ ccAddresses: ['desk+orders@shop.test', 'Husband@Example.com'] });
    const { ticket } = await route(first);

    const reply = mail({ replyTo: [first.messageId, '<older@mail.example.com>'], subject: 'Re: Where is my parcel?', text: 'Any news?' });
    const { routed: answer } = await route(reply);
    const [comment] = await thread(ticket.id);
    expect(answer).toEqual({ inboundEmailId: reply.inboundEmailId, outcome: 'appended', ticketId: ticket.id, ticketNumber: ticket.number, commentId: comment!.id, reason: `reply to #${ticket.number} (In-Reply-To)` });
    expect(comment).toMatchObject({ public: true, body: 'Any news?', author: { type: 'customer', email: 'lan@example.com' } });

    // Someone in Cc of the first message may write too, answering the customer's reply.
    const cc = mail({ fromAddress: 'husband@example.com', fromName: 'Minh', replyTo: [reply.messageId] });
    expect((await route(cc)).routed).toMatchObject({ outcome: 'appended', ticketId: ticket.id, reason: `reply to #${ticket.number} (In-Reply-To)` });
    // The shop's own address in Cc is no participant.
    const own = mail({ fromAddress: 'desk+orders@shop.test', replyTo: [first.messageId] });
    expect((await route(own)).routed).toMatchObject({ outcome: 'ticket_created', reason: `sender is not a participant of #${ticket.number}: new ticket` });
  });

  it('threads a reply to mail the product sent by the ticket id in its Message-ID, and reopens a solved ticket', async () => {
    const opened = await changes.open(db.manager, { subject: 'Broken cup', description: 'Cracked.', customer: { email: 'kadri@example.com', name: 'Kadri' }, channel: 'web' }, API);
    await setStatus(opened.id, 'solved');
    const reply = mail({ fromAddress: 'KADRI@example.com', replyTo: ['<lost@mail.example.com>', ticketMessageId('shop.test', opened.id)], text: 'It broke again.' });
    const { routed: answer, ticket } = await route(reply);
    expect(answer).toMatchObject({ outcome: 'appended', ticketId: opened.id, reason: `reply to #${opened.number} (References)` });
    expect(ticket.status).toBe('open');

    // An id of the product's form naming no ticket threads nothing.
    const unknown = mail({ fromAddress: 'kadri@example.com', replyTo: [ticketMessageId('shop.test', randomUUID())], subject: 'Another question' });
    expect((await route(unknown)).routed).toMatchObject({ outcome: 'ticket_created', reason: 'new ticket' });
  });

  it('threads by the [#number] token of the subject when no id matches, and reopens a pending ticket', async () => {
    const opened = await changes.open(db.manager, { subject: 'Refund', description: 'Please.', customer: { email: 'an@example.com' }, channel: 'api' }, API);
    await setStatus(opened.id, 'pending');
    const reply = mail({ fromAddress: 'an@example.com', replyTo: ['<unknown@elsewhere.example>'], subject: `Re: [#${opened.number}] Refund` });
    const { routed: answer, ticket } = await route(reply);
    expect(answer).toMatchObject({ outcome: 'appended', ticketId: opened.id, reason: `subject token #${opened.number}` });
    expect(ticket.status).toBe('open');
  });

  it('opens a new ticket for a stranger who names an existing ticket, by number or by id', async () => {
    const opened = await changes.open(db.manager, { subject: 'Invoice', description: 'Copy?', customer: { email: 'owner@example.com' }, channel: 'api' }, API);
    const guess = mail({ fromAddress: 'stranger@example.com', subject: `[#${opened.number}] let me in` });
    const { routed: answer, ticket } = await route(guess);
    expect(answer).toMatchObject({ outcome: 'ticket_created', commentId: null, reason: `sender is not a participant of #${opened.number}: new ticket` });
    expect(ticket.id).not.toBe(opened.id);
    expect(ticket.customerEmail).toBe('stranger@example.com');
    const byId = mail({ fromAddress: 'stranger@example.com', replyTo: [ticketMessageId('shop.test', opened.id)] });
    expect((await route(byId)).routed).toMatchObject({ outcome: 'ticket_created', reason: `sender is not a participant of #${opened.number}: new ticket` });
    expect(await thread(opened.id)).toEqual([]);
  });

  it('opens a follow-up for a reply to a closed ticket, acknowledged in the reply\'s thread', async () => {
    const first = mail({ fromAddress: 'linh@example.com' });
    const { ticket: original } = await route(first);
    await setStatus(original.id, 'solved');
    await setStatus(original.id, 'closed');

    const reply = mail({ fromAddress: 'linh@example.com', replyTo: [first.messageId], text: 'It broke again.' });
    const { routed: answer, ticket: followUp } = await route(reply);
    const [comment] = await thread(followUp.id);
    expect(answer).toEqual({
      inboundEmailId: reply.inboundEmailId, outcome: 'ticket_created', ticketId: followUp.id, ticketNumber: followUp.number,
      commentId: comment!.id, reason: `follow-up of closed #${original.number}`,
    });
    expect(followUp).toMatchObject({ followUpOf: original.id, status: 'new', channel: 'email' });
    expect((await tickets.find(original.id)).status).toBe('closed');
    expect((await created(followUp.id)).inboundMail).toEqual({ messageId: reply.messageId, acknowledge: true });

    // The next reply in the thread goes to the follow-up, by the id of the message that opened it.
    const next = mail({ fromAddress: 'linh@example.com', replyTo: [reply.messageId, first.messageId] });
    expect((await route(next)).routed).toMatchObject({ outcome: 'appended', ticketId: followUp.id });
  });

  it('routes a new ticket to the mailbox\'s group, else to the group of the first recipient, plus-addressing included', async () => {
    await groups.create({ key: 'returns', name: 'Returns', inboundAddresses: ['returns@shop.test'] });
    await groups.create({ key: 'billing', name: 'Billing', inboundAddresses: ['billing@shop.test'] });

    const vip = await route(mail({ recipients: ['returns+vip@shop.test', 'billing@shop.test'] }));
    expect(vip.ticket).toMatchObject({ groupKey: 'returns', groupAddress: 'returns@shop.test' });
    expect(vip.routed.reason).toBe('new ticket (group returns: recipient returns@shop.test)');
    expect((await created(vip.ticket.id)).ticket.groupAddress).toBe('returns@shop.test');

    const second = await route(mail({ recipients: ['someone@shop.test', 'billing@shop.test', 'returns@shop.test'] }));
    expect(second.ticket.groupKey).toBe('billing');

    const mailbox = await route(mail({ groupKey: 'billing', recipients: ['returns@shop.test'] }));
    expect(mailbox.ticket.groupKey).toBe('billing');
    expect(mailbox.routed.reason).toBe('new ticket (group billing: mailbox)');

    // A mailbox group deleted since is no group: routing by recipient decides.
    expect((await route(mail({ groupKey: 'gone', recipients: ['returns@shop.test'] }))).ticket.groupKey).toBe('returns');
    expect((await route(mail({ recipients: ['nobody@shop.test'] }))).ticket.groupKey).toBeNull();
  });

  it('creates nothing twice and answers once when a message is delivered again', async () => {
    const first = mail({ fromAddress: 'twice@example.com', subject: 'Twice' });
    const eventId = randomUUID();
    expect(await deliver('inbound_email.parsed', first, eventId)).toBe('handled');
    expect(await deliver('inbound_email.parsed', first, eventId)).toBe('duplicate');
    expect(await deliver('inbound_email.parsed', first)).toBe('handled'); // re-sent under a new job id
    const [answer, ...more] = await routed(first.inboundEmailId);
    expect(more).toEqual([]);
    expect(await db.query(`SELECT id FROM tickets.tickets WHERE customer_email = 'twice@example.com'`)).toHaveLength(1);

    const reply = mail({ fromAddress: 'twice@example.com', replyTo: [first.messageId] });
    await deliver('inbound_email.parsed', reply);
    await deliver('inbound_email.parsed', reply);
    expect(await routed(reply.inboundEmailId)).toHaveLength(1);
    expect(await thread(answer!.ticketId)).toHaveLength(1);
  });

  it('notes a bounce of the ticket\'s mail on the ticket, naming each failed recipient, once', async () => {
    const opened = await changes.open(db.manager, { subject: 'Parcel', description: 'Late.', customer: { email: 'gone@example.com' }, channel: 'web' }, API);
    const bounce = {
      inboundEmailId: randomUUID(),
      originalMessageId: ticketMessageId('shop.test', opened.id),
      recipients: [
        { address: 'gone@example.com', status: '5.1.1', action: 'failed', diagnostic: 'smtp; 550 5.1.1 user unknown', permanent: true },
        { address: 'slow@example.com', status: '4.2.2', action: 'delayed', diagnostic: 'mailbox full', permanent: false },
      ],
      receivedAt: new Date(),
    };
    await deliver('inbound_email.bounced', bounce);
    await deliver('inbound_email.bounced', bounce);
    const notes = await thread(opened.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ public: false, author: { type: 'system' } });
    expect(notes[0]!.body).toContain('gone@example.com: 5.1.1, permanent (smtp; 550 5.1.1 user unknown)');
    expect(notes[0]!.body).not.toContain('slow@example.com');
    expect((await tickets.find(opened.id)).status).toBe('new');

    // A bounce of mail that is no ticket's, or that quotes no original, changes nothing.
    await deliver('inbound_email.bounced', { ...bounce, inboundEmailId: randomUUID(), originalMessageId: `<${randomUUID()}@shop.test>` });
    await deliver('inbound_email.bounced', { ...bounce, inboundEmailId: randomUUID(), originalMessageId: null });
    expect(await thread(opened.id)).toHaveLength(1);
  });

  it('routes the messages of one batch job as it routes them one by one, each once, in one transaction', async () => {
    await groups.create({ key: 'batch', name: 'Batch desk', inboundAddresses: ['batch@shop.test'] });
    const earlier = mail({ fromAddress: 'binh@example.com' });
    const { ticket: open } = await route(earlier);
    const before = mail({ fromAddress: 'before@example.com' });
    await route(before);

    const plain = mail({ fromAddress: 'an@example.com' });
    const grouped = mail({ fromAddress: 'bao@example.com', recipients: ['batch+vip@shop.test'], ccAddresses: ['batch@shop.test', 'Wife@Example.com'] });
    const withFile = mail({ fromAddress: 'chi@example.com', attachments: [{ name: 'a.pdf', contentType: 'application/pdf', size: 10, contentRef: 'inbound:x:1' }] });
    const reply = mail({ fromAddress: 'binh@example.com', replyTo: [earlier.messageId], subject: 'Re: Where is my parcel?' });
    const batch = [plain, grouped, withFile, reply, before].map((data) => ({ eventId: randomUUID(), occurredAt: new Date(), requestId: `req-${data.inboundEmailId}`, data }));
    // `before` was routed already (its own job came first): the batch leaves it alone.
    expect(await worker.process({ id: batch[0]!.eventId, name: 'inbound_email.parsed', data: JSON.parse(JSON.stringify({ batch })) })).toBe('handled');

    const answers = await Promise.all([plain, grouped, withFile, reply, before].map((m) => routed(m.inboundEmailId)));
    expect(answers.map((a) => a.length)).toEqual([1, 1, 1, 1, 1]);
    const [[a], [b], [c], [d]] = answers;
    expect(a).toMatchObject({ outcome: 'ticket_created', commentId: null, reason: 'new ticket' });
    expect(b).toMatchObject({ outcome: 'ticket_created', reason: 'new ticket (group batch: recipient batch@shop.test)' });
    expect(c).toMatchObject({ outcome: 'ticket_created', reason: 'new ticket' });
    expect(c!.commentId).not.toBeNull();
    expect(d).toMatchObject({ outcome: 'appended', ticketId: open.id, reason: `reply to #${open.number} (In-Reply-To)` });
    expect(await tickets.find(b!.ticketId)).toMatchObject({ groupKey: 'batch', customerEmail: 'bao@example.com', channel: 'email' });
    expect((await thread(c!.ticketId)).map((x) => x.attachments)).toEqual([withFile.attachments]);
    // Each event in the context of its own request; the Message-ID and the thread's people recorded (not the shop's own address).
    const [{ request_id }] = await db.query(`SELECT request_id FROM tickets.outbox WHERE event = 'inbound_email.routed' AND payload ->> 'inboundEmailId' = $1`, [grouped.inboundEmailId]);
    expect(request_id).toBe(`req-${grouped.inboundEmailId}`);
    const participants: Array<{ address: string }> = await db.query(`SELECT address FROM tickets.ticket_mail_participants WHERE ticket_id = $1 ORDER BY address`, [b!.ticketId]);
    expect(participants.map((p) => p.address)).toEqual(['bao@example.com', 'wife@example.com']);
    const wife = mail({ fromAddress: 'wife@example.com', replyTo: [grouped.messageId] });
    expect((await route(wife)).routed).toMatchObject({ outcome: 'appended', ticketId: b!.ticketId });

    // The whole batch again (a redelivered job): nothing twice.
    expect(await worker.process({ id: randomUUID(), name: 'inbound_email.parsed', data: JSON.parse(JSON.stringify({ batch: batch.map((e) => ({ ...e, eventId: randomUUID() })) })) })).toBe('handled');
    for (const m of [plain, grouped, withFile, reply, before]) expect(await routed(m.inboundEmailId)).toHaveLength(1);
  });
});

