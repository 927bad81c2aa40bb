import { QueueName, type JobName } from '@careflow/contracts';
import { JobQueues, createRedisConnection } from '@careflow/messaging';
import { TEST_REDIS_URL, deleteKeys, eventually, useStack } from '@careflow/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What other services' events do to tickets, and what happens when Redis forgets timers.
 * Jobs are put on the tickets-incoming queue exactly as the producers' outbox relays put them.
 */
describe('tickets reacting to jobs', () => {
  const system = useStack({
    services: ['tickets'],
    serviceEnv: { tickets: { SLA_RECONCILE_INTERVAL_MS: '500', SLA_WARNING_LEAD_SECONDS: '0' } },
  });
  let queues: JobQueues;

  beforeAll(async () => {
    queues = new JobQueues(createRedisConnection(TEST_REDIS_URL, 'ticket-jobs-test'), system.stack.queuePrefix);
  });
  // Registered after the stack, so it runs before the stack stops.
  afterAll(async () => queues?.close());

  async function publish(event: JobName, data: object): Promise<string> {
    const id = randomUUID();
    await queues.publish([{ id, event, envelope: { eventId: id, occurredAt: new Date(), data } }]);
    await eventually(async () => expect(await queues.queue(QueueName.TicketsIncoming).getJobState(id)).toBe('completed'));
    return id;
  }

  async function events(ticketId: string): Promise<Array<{ type: string; field: string | null; from: unknown; to: unknown; actor: { type: string } }>> {
    return (await system.api.get(`/v1/tickets/${ticketId}/events`).set(system.admin()).expect(200)).body.data;
  }

  it('re-evaluates a customer\'s running tickets when their segment changes, in the audit trail', async () => {
    const created = await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Where is my parcel?', description: 'It is late.', customer: { externalId: 'cus_seg', email: 'seg@example.com' }, channel: 'chat' })
      .expect(201);
    expect(created.body).toMatchObject({ priority: 'normal', segment: null });
    const explicit = await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Invoice', description: 'Need a copy.', customer: { externalId: 'cus_seg', email: 'seg@example.com' }, channel: 'email', priority: 'low' })
      .expect(201);

    await publish('customer.segment_changed', { externalId: 'cus_seg', previousSegment: null, segment: 'vip', segments: ['vip', 'online'], version: 1 });

    const after = (await system.api.get(`/v1/tickets/${created.body.id}`).set(system.admin()).expect(200)).body;
    expect(after).toMatchObject({ segment: 'vip', priority: 'high' });
    // vip/high first response: 30 minutes from creation (the default policy).
    expect(new Date(after.firstResponseDueAt).getTime() - new Date(after.createdAt).getTime()).toBe(30 * 60 * 1000);
    const trail = await events(created.body.id);
    expect(trail.map((e) => e.type)).toEqual(['created', 'segment_changed', 'priority_changed', 'sla_changed']);
    expect(trail.slice(1).every((e) => e.actor.type === 'system')).toBe(true);
    expect(trail[2]).toMatchObject({ field: 'priority', from: 'normal', to: 'high' });

    // A priority someone chose is kept; the SLA follows the new segment.
    const kept = (await system.api.get(`/v1/tickets/${explicit.body.id}`).set(system.admin()).expect(200)).body;
    expect(kept).toMatchObject({ segment: 'vip', priority: 'low' });

    // An older segment event arriving late changes nothing.
    await publish('customer.segment_changed', { externalId: 'cus_seg', previousSegment: null, segment: 'walk_in', segments: ['walk_in'], version: 1 });
    expect((await system.api.get(`/v1/tickets/${created.body.id}`).set(system.admin())).body.segment).toBe('vip');
  });

  it('opens one incident ticket per shipment, at least high priority, and adds later incidents to it', async () => {
    const shipmentId = randomUUID();
    const incident = {
      shipmentId,
      orderExternalId: 'ord_77',
      customerExternalId: 'cus_ship',
      customerEmail: 'ship@example.com',
      customerName: 'Kadri Tamm',
      carrier: 'Omniva',
      trackingNumber: 'CC123456789EE',
      trackingUrl: 'https://www.omniva.ee/track?barcode=CC123456789EE',
      status: 'failed_attempt',
      description: 'Recipient not at home',
      occurredAt: new Date().toISOString(),
    };
    await publish('shipment.incident', incident);
    await publish('shipment.incident', { ...incident, status: 'returned', description: 'Returned to sender' });

    const list = await system.api.get('/v1/tickets').query({ customerExternalId: 'cus_ship' }).set(system.admin()).expect(200);
    expect(list.body.data).toHaveLength(1);
    const ticket = list.body.data[0];
    expect(ticket).toMatchObject({ type: 'shipment_exception', priority: 'high', shipmentId, orderExternalId: 'ord_77', channel: 'api' });
    expect(ticket.subject).toContain('CC123456789EE');
    const thread = (await system.api.get(`/v1/tickets/${ticket.id}/comments`).set(system.admin()).expect(200)).body.data;
    expect(thread).toHaveLength(1);
    expect(thread[0]).toMatchObject({ public: false, author: { type: 'system' } });
    expect(thread[0].body).toContain('return to sender');
  });

  it('reopens a solved incident ticket on a new incident, and records the reopening in the audit trail', async () => {
    const shipmentId = randomUUID();
    const incident = {
      shipmentId,
      orderExternalId: 'ord_78',
      customerExternalId: 'cus_reopen',
      customerEmail: 'reopen@example.com',
      customerName: 'Mai Anh',
      carrier: 'GHN',
      trackingNumber: 'GHN778899',
      trackingUrl: null,
      status: 'exception',
      description: 'Parcel damaged',
      occurredAt: new Date().toISOString(),
    };
    await publish('shipment.incident', incident);
    const [ticket] = (await system.api.get('/v1/tickets').query({ customerExternalId: 'cus_reopen' }).set(system.admin()).expect(200)).body.data;
    await system.api.patch(`/v1/tickets/${ticket.id}`).set(system.admin()).send({ status: 'solved' }).expect(200);

    await publish('shipment.incident', { ...incident, status: 'returned', description: 'Returned to sender' });
    const after = await system.api.get(`/v1/tickets/${ticket.id}`).set(system.admin()).expect(200);
    expect(after.body.status).toBe('open');
    const trail = await events(ticket.id);
    expect(trail.filter((e) => e.type === 'status_changed').map((e) => [e.from, e.to, e.actor.type])).toEqual([
      ['new', 'solved', 'api_key'],
      ['solved', 'open', 'system'],
    ]);
  });

  it('turns a parsed inbound e-mail into a ticket, a reply (by In-Reply-To) into a comment, and a redelivery into nothing', async () => {
    const first = randomUUID();
    const mail = {
      inboundEmailId: first,
      messageId: '<m1@mail.example.com>',
      replyTo: [],
      fromAddress: 'mail@example.com',
      fromName: 'Trần Văn An',
      ccAddresses: [],
      recipients: ['support@shop.test'],
      subject: 'Hàng bị vỡ',
      text: 'Chiếc cốc đến nơi đã bị vỡ.',
      html: null,
      groupKey: null,
      acknowledge: true,
      attachments: [{ name: 'vo.jpg', contentType: 'image/jpeg', size: 1024, contentRef: `inbound:${first}:1` }],
      receivedAt: new Date().toISOString(),
    };
    await publish('inbound_email.parsed', mail);
    const created = (await system.api.get('/v1/tickets').query({ q: 'coc vo' }).set(system.admin()).expect(200)).body.data;
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ channel: 'email', subject: 'Hàng bị vỡ', customer: { email: 'mail@example.com', name: 'Trần Văn An' } });

    // The same message delivered again under another job id: still one ticket.
    await publish('inbound_email.parsed', mail);
    expect((await system.api.get('/v1/tickets').query({ q: 'coc vo' }).set(system.admin())).body.data).toHaveLength(1);

    const reply = { ...mail, inboundEmailId: randomUUID(), messageId: '<m2@mail.example.com>', replyTo: ['<m1@mail.example.com>'], text: 'Ảnh đính kèm.' };
    await publish('inbound_email.parsed', reply);
    const thread = (await system.api.get(`/v1/tickets/${created[0].id}/comments`).set(system.admin()).expect(200)).body.data;
    // The message that opened the ticket brought an attachment: it is the first comment, so the attachment shows.
    expect(thread).toHaveLength(2);
    expect(thread[0]).toMatchObject({ public: true, body: 'Chiếc cốc đến nơi đã bị vỡ.', attachments: mail.attachments });
    expect(thread[1]).toMatchObject({ public: true, body: 'Ảnh đính kèm.', author: { type: 'customer', email: 'mail@example.com' } });
  });

  it('rebuilds SLA timers that Redis lost, so the breach still fires at its due time', async () => {
    await system.api
      .put('/v1/sla-policies')
      .set(system.admin())
      .send({ policies: [{ segment: 'regular', priority: 'urgent', firstResponseSeconds: 3, nextResponseSeconds: 3600, resolutionSeconds: 86400 }] })
      .expect(200);
    const created = await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Urgent', description: 'Now.', customer: { email: 'urgent@example.com' }, channel: 'phone', priority: 'urgent' })
      .expect(201);
    // Redis forgets everything (the SLA timer included).
    await deleteKeys(system.stack.queuePrefix);

    const breach = await eventually(async () => {
      const found = (await events(created.body.id)).find((e) => e.type === 'sla_breached');
      expect(found).toBeDefined();
      return found as unknown as { createdAt: string; data: { metric: string } };
    }, 20_000, 100);
    expect(breach.data.metric).toBe('first_response');
    // Rebuilt by the look-ahead (every 0.5 s here), then fired at its due time: never early,
    // and late by at most a look-ahead interval plus scheduling (generous for a loaded CI box).
    const late = new Date(breach.createdAt).getTime() - new Date(created.body.firstResponseDueAt).getTime();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(2_500);
    expect((await system.api.get(`/v1/tickets/${created.body.id}`).set(system.admin())).body.slaBreaches).toEqual(['first_response']);
  });
});
