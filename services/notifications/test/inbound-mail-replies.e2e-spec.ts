import { QueueName, ticketIdOfMessageId, type JobName } from '@careflow/contracts';
import { JobQueues, createRedisConnection } from '@careflow/messaging';
import { SmtpSink, TEST_REDIS_URL, eventually, useStack } from '@careflow/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A support conversation by e-mail across tickets and notifications, as processes, with a real
 * SMTP server catching what goes out. email-ingest's jobs (a parsed message, a bounce) are put
 * on the queues exactly as its outbox relay would put them.
 */
describe('mail conversations', () => {
  let sink: SmtpSink;
  let queues: JobQueues;

  // Registered before the stack, so the sink is up before it starts and stops after it.
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => sink?.stop());
  const system = useStack(() => ({
    services: ['tickets', 'notifications'],
    env: { SMTP_URL: sink.url, MAIL_FROM: 'Shop Support <support@shop.test>' },
  }));
  beforeAll(async () => {
    queues = new JobQueues(createRedisConnection(TEST_REDIS_URL, 'inbound-mail-replies-test'), system.stack.queuePrefix);
  });
  // Registered after the stack, so it runs before the stack stops.
  afterAll(async () => queues?.close());

  async function publish(event: JobName, data: object): Promise<void> {
    const id = randomUUID();
    await queues.publish([{ id, event, envelope: { eventId: id, occurredAt: new Date(), data } }]);
    await eventually(async () => expect(await queues.queue(QueueName.TicketsIncoming).getJobState(id)).toBe('completed'));
  }

  function parsed(from: string, over: Record<string, unknown> = {}) {
    const id = randomUUID();
    return {
      inboundEmailId: id, messageId: `<${id}@mail.example.com>`, replyTo: [], fromAddress: from, fromName: 'Kadri Tamm', ccAddresses: [],
      recipients: ['support@shop.test'], subject: 'Parcel never arrived', text: 'Order 77 is a week late.', html: null, groupKey: null,
      acknowledge: true, attachments: [], receivedAt: new Date().toISOString(), ...over,
    };
  }

  it('acknowledges mail in its thread, threads the answer to the acknowledgement back into the ticket, and stops mailing an address that bounced', async () => {
    const email = `kadri.${randomUUID().slice(0, 8)}@example.com`;
    const first = parsed(email, { subject: `Parcel never arrived ${email.split('@')[0]}` });
    await publish('inbound_email.parsed', first);

    // The acknowledgement answers the customer's message, and names the ticket in its own id.
    const ack = await sink.waitFor((m) => m.envelope.to.includes(email));
    expect(ack.parsed.inReplyTo).toBe(first.messageId);
    const ticketId = ticketIdOfMessageId(ack.parsed.messageId!);
    expect(ticketId).not.toBeNull();
    const ticket = (await system.api.get(`/v1/tickets/${ticketId}`).set(system.admin()).expect(200)).body;
    expect(ticket).toMatchObject({ channel: 'email', customer: { email } });

    // Her answer to the acknowledgement (a client that keeps only In-Reply-To) lands on the ticket.
    await publish('inbound_email.parsed', parsed(email, { replyTo: [ack.parsed.messageId], subject: 'Re: anything', text: 'Any news?' }));
    const thread = (await system.api.get(`/v1/tickets/${ticketId}/comments`).set(system.admin()).expect(200)).body.data;
    expect(thread).toEqual([expect.objectContaining({ body: 'Any news?', public: true, author: expect.objectContaining({ type: 'customer' }) })]);

    // Mailing-list mail becomes a ticket, but nothing answers it.
    const listAddress = `list.${randomUUID().slice(0, 8)}@lists.example.com`;
    await publish('inbound_email.parsed', parsed(listAddress, { acknowledge: false }));
    await eventually(async () => {
      const log = (await system.api.get('/v1/notifications').query({ status: 'suppressed' }).set(system.admin()).expect(200)).body.data;
      expect(log).toContainEqual(expect.objectContaining({ to: listAddress, template: 'ticket_acknowledged', error: 'mailing-list mail gets no automatic answer (RFC 3834)' }));
    });

    // Her mailbox is gone: the relay's report names the acknowledgement.
    await publish('inbound_email.bounced', {
      inboundEmailId: randomUUID(), originalMessageId: ack.parsed.messageId, receivedAt: new Date().toISOString(),
      recipients: [{ address: email, status: '5.1.1', action: 'failed', diagnostic: 'smtp; 550 5.1.1 user unknown', permanent: true }],
    });
    await eventually(async () => {
      const notes = (await system.api.get(`/v1/tickets/${ticketId}/comments`).set(system.admin()).expect(200)).body.data.filter((c: { public: boolean }) => !c.public);
      expect(notes).toHaveLength(1);
      expect(notes[0].body).toContain(`${email}: 5.1.1, permanent (smtp; 550 5.1.1 user unknown)`);
    });
    // Once notifications took the bounce too, an agent's answer is not sent, and the log says why.
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT 1 FROM notifications.undeliverable_addresses WHERE address = $1`, [email]);
      expect(rows).toHaveLength(1);
    });
    await system.api.post(`/v1/tickets/${ticketId}/comments`).set(system.admin()).send({ body: 'We are on it.', author: { type: 'agent', name: 'Minh' } }).expect(201);
    await eventually(async () => {
      const log = (await system.api.get('/v1/notifications').query({ template: 'ticket_reply' }).set(system.admin()).expect(200)).body.data;
      expect(log).toContainEqual(expect.objectContaining({ to: email, status: 'suppressed', error: 'the address is undeliverable: 5.1.1 smtp; 550 5.1.1 user unknown' }));
    });
    expect(sink.messages.filter((m) => m.envelope.to.includes(email))).toHaveLength(1);
    const { rows: tickets } = await system.stack.db.pool.query(`SELECT id FROM tickets.tickets WHERE customer_email = $1`, [email]);
    expect(tickets).toEqual([{ id: ticketId }]);
  });
});
