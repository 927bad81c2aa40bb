import { SmtpSink, eventually, useStack, type CaughtMail } from '@careflow/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Orders, shipments and every outbound e-mail, through the gateway, with the services as
 * processes and a real SMTP server catching what they send.
 */
describe('orders, shipments and outbound mail', () => {
  let sink: SmtpSink;

  // Registered before the stack, so the sink is up before it starts and stops after it.
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => sink?.stop());
  const system = useStack(() => ({
    services: ['tickets', 'notifications', 'segmentation'],
    env: { SMTP_URL: sink.url, MAIL_FROM: 'Shop Support <support@shop.test>', SHOP_NAME: 'Cửa hàng Gốm' },
  }));

  /** A customer known to every service (segmentation announces it), with an order. */
  async function customerWithOrder(opts: { locale?: string; name?: string } = {}): Promise<{ email: string; externalId: string; order: string }> {
    const externalId = `cus_${randomUUID().slice(0, 8)}`;
    const email = `${externalId}@example.com`;
    const client = system.client();
    const customer = await client.PUT('/v1/customers/{externalId}', { params: { path: { externalId } }, body: { email, name: opts.name ?? 'Lan', locale: opts.locale ?? 'en' } });
    expect(customer.response.status).toBe(200);
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT 1 FROM notifications.customers WHERE external_id = $1`, [externalId]);
      expect(rows).toHaveLength(1);
    });
    const order = `ord_${randomUUID().slice(0, 8)}`;
    const recorded = await client.POST('/v1/orders', {
      body: { externalId: order, customerExternalId: externalId, channel: 'online', total: '250000.00', currency: 'VND', placedAt: '2026-11-20T08:15:00Z', items: [{ sku: 'MUG-01', name: 'Cốc', quantity: 2, price: '125000' }] },
    });
    expect(recorded.response.status).toBe(201);
    return { email, externalId, order };
  }

  const mailTo = (address: string): CaughtMail[] => sink.messages.filter((m) => m.envelope.to.includes(address));
  const settle = () => new Promise((r) => setTimeout(r, 1500));

  describe('orders', () => {
    it('records an order (201), replaces it by externalId (200), and reads it back with money as decimal strings', async () => {
      const body = { externalId: 'ord_up_1', customerExternalId: 'cus_x', channel: 'in_store', total: '19.9', currency: 'EUR', placedAt: '2026-11-20T08:15:00Z', items: [] };
      const first = await system.api.post('/v1/orders').set(system.admin()).send(body).expect(201);
      expect(first.body).toMatchObject({ externalId: 'ord_up_1', total: '19.90', currency: 'EUR', channel: 'in_store', shipments: [] });
      const second = await system.api.post('/v1/orders').set(system.admin()).send({ ...body, total: '21.50' }).expect(200);
      expect(second.body.total).toBe('21.50');
      const list = await system.api.get('/v1/orders').query({ customerExternalId: 'cus_x' }).set(system.admin()).expect(200);
      expect(list.body.data.map((o: { externalId: string }) => o.externalId)).toEqual(['ord_up_1']);
    });

    it('names each invalid field', async () => {
      const res = await system.api
        .post('/v1/orders')
        .set(system.admin())
        .send({ externalId: 'ord bad', customerExternalId: 'cus_x', channel: 'mail_order', total: '12,50', currency: 'euro', placedAt: 'yesterday', items: [{ sku: 'A', name: 'A', quantity: 0, price: '-1' }] });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
        ['channel', 'currency', 'externalId', 'items.0.price', 'items.0.quantity', 'placedAt', 'total'].sort(),
      );
    });
  });

  describe('shipments', () => {
    it('e-mails the tracking number and the carrier\'s link when a shipment is recorded', async () => {
      const { email, order } = await customerWithOrder();
      const shipment = await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }).expect(201);
      expect(shipment.body.trackingUrl).toContain('1Z999AA10123456784');
      expect(shipment.body.trackingUrl).toMatch(/^https:\/\/www\.ups\.com\//);

      const mail = await sink.waitFor((m) => m.envelope.to.includes(email));
      expect(mail.parsed.text).toContain('1Z999AA10123456784');
      expect(mail.parsed.text).toContain(shipment.body.trackingUrl);
      expect(mail.parsed.html).toContain(`href="${String(shipment.body.trackingUrl).replaceAll('&', '&amp;')}"`);
      expect(mail.parsed.from?.text).toContain('support@shop.test');
    });

    it('gives an unknown carrier no link unless one is given', async () => {
      const { order } = await customerWithOrder();
      const none = await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'Bob\'s Vans', trackingNumber: 'BV-1' }).expect(201);
      expect(none.body.trackingUrl).toBeNull();
      const given = await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'Bob\'s Vans', trackingNumber: 'BV-2', trackingUrl: 'https://bobsvans.example/t/BV-2' }).expect(201);
      expect(given.body.trackingUrl).toBe('https://bobsvans.example/t/BV-2');
    });

    it('sends one e-mail per change of status, none for duplicates or late events', async () => {
      const { email, order } = await customerWithOrder();
      const { body: shipment } = await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'DHL', trackingNumber: '1234567890' }).expect(201);
      const event = (eventId: string, status: string, occurredAt: string) =>
        system.api.post(`/v1/shipments/${shipment.id}/events`).set(system.admin()).send({ eventId, status, occurredAt });

      expect((await event('e-1', 'in_transit', '2026-11-22T18:00:00Z')).body).toEqual({ accepted: true, status: 'in_transit' });
      expect((await event('e1', 'out_for_delivery', '2026-11-23T07:00:00Z')).status).toBe(202);
      expect((await event('e1', 'out_for_delivery', '2026-11-23T07:00:00Z')).body).toEqual({ accepted: false, status: 'out_for_delivery' });
      expect((await event('e2', 'delivered', '2026-11-23T11:00:00Z')).body).toEqual({ accepted: true, status: 'delivered' });
      // An in-transit scan from before arrives late: stored, status not moved back, nothing sent.
      expect((await event('e0', 'in_transit', '2026-11-22T20:00:00Z')).body).toEqual({ accepted: true, status: 'delivered' });
      // A second "delivered" scan: nothing sent.
      expect((await event('e3', 'delivered', '2026-11-23T11:05:00Z')).body).toEqual({ accepted: true, status: 'delivered' });

      // created, in transit, out for delivery, delivered: one each.
      await eventually(() => expect(mailTo(email)).toHaveLength(4));
      await settle();
      expect(mailTo(email)).toHaveLength(4);
      const order_ = await system.api.get(`/v1/orders/${order}`).set(system.admin()).expect(200);
      expect(order_.body.shipments[0]).toMatchObject({ status: 'delivered' });
      expect(order_.body.shipments[0].events.map((e: { eventId: string }) => e.eventId)).toEqual(['e-1', 'e0', 'e1', 'e2', 'e3']);
    });

    it('applies events arriving all at once (batched writes) as if one by one: each stored once, the newest wins, no status mailed twice', async () => {
      const shoppers = await Promise.all([customerWithOrder(), customerWithOrder(), customerWithOrder()]);
      const shipments = await Promise.all(
        shoppers.map(({ order }, i) => system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: `1ZBURST${i}${randomUUID().slice(0, 6)}` }).expect(201)),
      );
      const scans = [
        ['s1', 'in_transit', '2026-11-22T18:00:00Z'],
        ['s2', 'out_for_delivery', '2026-11-23T07:00:00Z'],
        ['s3', 'delivered', '2026-11-23T11:00:00Z'],
        ['s4', 'delivered', '2026-11-23T11:05:00Z'],
      ] as const;
      // Every scan of every shipment, each sent twice, plus one for a shipment that does not exist: all in flight together.
      const posts = shipments.flatMap(({ body: s }) =>
        [...scans, ...scans].map(([eventId, status, occurredAt]) =>
          system.api.post(`/v1/shipments/${s.id}/events`).set(system.admin()).send({ eventId, status, occurredAt }).then((res) => ({ shipment: s.id as string, eventId, res })),
        ),
      );
      const unknown = system.api.post(`/v1/shipments/${randomUUID()}/events`).set(system.admin()).send({ eventId: 'x', status: 'delivered', occurredAt: '2026-11-23T09:00:00Z' });
      const [answers, missing] = await Promise.all([Promise.all(posts), unknown]);

      expect(missing.status).toBe(404);
      expect(answers.every(({ res }) => res.status === 202)).toBe(true);
      for (const { body: s } of shipments) {
        for (const [eventId] of scans) {
          // Of the two copies of a scan, exactly one was recorded.
          const copies = answers.filter((a) => a.shipment === s.id && a.eventId === eventId).map((a) => a.res.body.accepted);
          expect(copies.sort()).toEqual([false, true]);
        }
        const view = await system.api.get(`/v1/shipments/${s.id}`).set(system.admin()).expect(200);
        expect(view.body.status).toBe('delivered');
        expect(view.body.events).toHaveLength(4);
      }
      await settle();
      for (const { email } of shoppers) {
        // The order the scans landed in decides which statuses were current on the way; none twice, delivered once.
        const subjects = mailTo(email).map((m) => m.parsed.subject ?? '');
        expect(new Set(subjects).size).toBe(subjects.length);
        expect(subjects.filter((s) => /delivered/i.test(s))).toHaveLength(1);
      }
      const { rows } = await system.stack.db.pool.query(
        `SELECT count(*)::int AS n FROM notifications.outbound_messages WHERE shipment_id = ANY($1::uuid[]) GROUP BY dedupe_key HAVING count(*) > 1`,
        [shipments.map(({ body: s }) => s.id)],
      );
      expect(rows).toEqual([]);
    });

    it('turns an exception into an incident ticket for the tickets service, and tells the shopper', async () => {
      const { email, externalId, order } = await customerWithOrder();
      const { body: shipment } = await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'Omniva', trackingNumber: 'CC123456789EE' }).expect(201);
      await system.api.post(`/v1/shipments/${shipment.id}/events`).set(system.admin()).send({ eventId: 'x1', status: 'exception', occurredAt: '2026-11-23T09:00:00Z', description: 'Damaged in transit' }).expect(202);

      const ticket = await eventually(async () => {
        const res = await system.api.get('/v1/tickets').query({ customerExternalId: externalId }).set(system.admin()).expect(200);
        expect(res.body.data).toHaveLength(1);
        return res.body.data[0];
      });
      expect(ticket).toMatchObject({ type: 'shipment_exception', shipmentId: shipment.id, orderExternalId: order });
      await eventually(() => expect(mailTo(email).some((m) => m.parsed.text?.includes('Damaged in transit'))).toBe(true));
    });

    it('answers 404 for unknown orders and shipments, 409 for a tracking number recorded twice', async () => {
      await system.api.post('/v1/orders/nope/shipments').set(system.admin()).send({ carrier: 'UPS', trackingNumber: '1Z1' }).expect(404);
      await system.api.post(`/v1/shipments/${randomUUID()}/events`).set(system.admin()).send({ eventId: 'a', status: 'delivered', occurredAt: '2026-11-23T09:00:00Z' }).expect(404);
      await system.api.post('/v1/shipments/not-a-uuid/events').set(system.admin()).send({ eventId: 'a', status: 'delivered', occurredAt: '2026-11-23T09:00:00Z' }).expect(400);
      const { order } = await customerWithOrder();
      await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'FedEx', trackingNumber: '449044304137821' }).expect(201);
      const again = await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'fedex', trackingNumber: '449044304137821' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('shipment-exists');
    });
  });

  describe('ticket mail', () => {
    it('acknowledges a new ticket with its number and promised response time, in the customer\'s language', async () => {
      const { email, externalId } = await customerWithOrder({ locale: 'vi', name: 'Nguyễn Thị Lan' });
      const { body: ticket } = await system.api
        .post('/v1/tickets')
        .set(system.admin())
        .send({ subject: 'Đơn hàng chưa tới', description: 'Giúp tôi với', customer: { externalId, email }, channel: 'web' })
        .expect(201);
      const ack = await sink.waitFor((m) => m.envelope.to.includes(email));
      expect(ack.parsed.subject).toContain(`[#${ticket.number}]`);
      expect(ack.parsed.text).toContain(String(ticket.number));
      const due = new Date(ticket.firstResponseDueAt);
      expect(ack.parsed.text).toContain(String(due.getUTCFullYear()));
      expect(ack.parsed.messageId).toBeDefined();
    });

    it('threads a public agent reply under the earlier mail; an internal note sends nothing', async () => {
      const { email, externalId } = await customerWithOrder();
      const { body: ticket } = await system.api
        .post('/v1/tickets')
        .set(system.admin())
        .send({ subject: 'Wrong size', description: 'I got an M, ordered L', customer: { externalId, email }, channel: 'email' })
        .expect(201);
      await sink.waitFor((m) => m.envelope.to.includes(email));

      await system.api.post(`/v1/tickets/${ticket.id}/comments`).set(system.admin()).send({ body: 'Checking the warehouse.', public: false, author: { type: 'agent' } }).expect(201);
      await system.api.post(`/v1/tickets/${ticket.id}/comments`).set(system.admin()).send({ body: 'We are sending an L today.\nSorry!', author: { type: 'agent', name: 'Minh' } }).expect(201);
      await eventually(() => expect(mailTo(email)).toHaveLength(2));
      await settle();
      expect(mailTo(email)).toHaveLength(2);

      const log = await system.api.get('/v1/notifications').query({ customerExternalId: externalId }).set(system.admin()).expect(200);
      const [reply, ack] = log.body.data; // newest first
      expect(ack.template).toBe('ticket_acknowledged');
      expect(reply.template).toBe('ticket_reply');
      const replyMail = mailTo(email).find((m) => m.parsed.messageId === reply.messageId)!;
      expect(replyMail.parsed.subject).toContain(`[#${ticket.number}]`);
      expect(replyMail.parsed.text).toContain('We are sending an L today.');
      expect(replyMail.parsed.inReplyTo).toBe(ack.messageId);
      expect([replyMail.parsed.references].flat()).toEqual([ack.messageId]);
      expect(replyMail.parsed.replyTo?.text).toContain('support@shop.test');
    });
  });

  describe('delivery', () => {
    it('retries while the SMTP server is down and sends when it is back', async () => {
      const { email, externalId, order } = await customerWithOrder();
      await sink.stop();
      try {
        await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'USPS', trackingNumber: '9400111899223856928499' }).expect(201);
        await eventually(async () => {
          const { rows } = await system.stack.db.pool.query(`SELECT status, error, attempts FROM notifications.outbound_messages WHERE to_address = $1`, [email]);
          expect(rows[0]).toMatchObject({ status: 'queued' });
          expect(rows[0].attempts).toBeGreaterThanOrEqual(1);
          expect(rows[0].error).toBeTruthy();
        });
      } finally {
        await sink.restart();
      }
      await sink.waitFor((m) => m.envelope.to.includes(email), 30_000);
      // The sink has the mail once the SMTP transaction ends; the worker records `sent` just after.
      await eventually(async () => {
        const log = await system.api.get('/v1/notifications').query({ customerExternalId: externalId, template: 'shipment_created' }).set(system.admin()).expect(200);
        expect(log.body.data).toEqual([expect.objectContaining({ to: email, status: 'sent', sentAt: expect.any(String) })]);
      });
    });

    it('marks a message failed, with the reason, when the server refuses it for good (5xx)', async () => {
      const { email, externalId, order } = await customerWithOrder();
      sink.setMode({ rejectWith: 550, message: 'mailbox unavailable' });
      try {
        await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'DHL', trackingNumber: '5550001111' }).expect(201);
        const failed = await eventually(async () => {
          const log = await system.api.get('/v1/notifications').query({ customerExternalId: externalId, status: 'failed' }).set(system.admin()).expect(200);
          expect(log.body.data).toHaveLength(1);
          return log.body.data[0];
        });
        expect(failed.error).toContain('550');
        expect(failed.attempts).toBe(1);
      } finally {
        sink.setMode('accept');
      }
      expect(mailTo(email)).toHaveLength(0);
    });

    it('never sends twice: a message whose earlier attempt died mid-send is marked failed, not resent', async () => {
      const { email, externalId, order } = await customerWithOrder();
      // Hold the SMTP server so the first attempt is recorded but gets no outcome…
      await sink.stop();
      try {
        await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: '1Z999AA10199999999' }).expect(201);
        const row = await eventually(async () => {
          const { rows } = await system.stack.db.pool.query(`SELECT id, attempts FROM notifications.outbound_messages WHERE to_address = $1`, [email]);
          expect(rows[0]?.attempts).toBeGreaterThanOrEqual(1);
          return rows[0];
        });
        // …then the worker dies in the middle of the SMTP conversation: the attempt stays open.
        await system.stack.kill('notifications');
        await system.stack.db.pool.query(`UPDATE notifications.outbound_messages SET attempt_started_at = now() WHERE id = $1`, [row.id]);
      } finally {
        await sink.restart();
      }
      await system.stack.startService('notifications');

      const failed = await eventually(async () => {
        const log = await system.api.get('/v1/notifications').query({ customerExternalId: externalId }).set(system.admin()).expect(200);
        expect(log.body.data[0]).toMatchObject({ status: 'failed' });
        return log.body.data[0];
      }, 30_000, 200);
      expect(failed.error).toContain('outcome unknown');
      await settle();
      expect(mailTo(email)).toHaveLength(0);
      // A process restart inside the test: on a loaded machine that alone can take most of a minute.
    }, 150_000);

    it('does not mail a customer whose address is undeliverable, and says why', async () => {
      const { email, externalId, order } = await customerWithOrder();
      await system.stack.db.pool.query(`UPDATE notifications.customers SET undeliverable_at = now(), undeliverable_reason = '5.1.1 user unknown' WHERE external_id = $1`, [externalId]);
      await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: '1Z999AA10123450000' }).expect(201);
      const log = await system.api.get('/v1/notifications').query({ customerExternalId: externalId }).set(system.admin()).expect(200);
      expect(log.body.data[0]).toMatchObject({ status: 'suppressed' });
      expect(log.body.data[0].error).toContain('5.1.1 user unknown');
      await settle();
      expect(mailTo(email)).toHaveLength(0);
    });

    it('neutralises CR/LF in names and subjects (no header injection)', async () => {
      const externalId = `cus_${randomUUID().slice(0, 8)}`;
      const email = `${externalId}@example.com`;
      await system.api.put(`/v1/customers/${externalId}`).set(system.admin()).send({ email, name: 'Eve' }).expect(200);
      await system.api
        .post('/v1/tickets')
        .set(system.admin())
        .send({ subject: 'Hi\r\nBcc: victim@example.com', description: 'x', customer: { externalId, email, name: 'Eve\r\nBcc: victim@example.com' }, channel: 'api' })
        .expect(201);
      const mail = await sink.waitFor((m) => m.envelope.to.includes(email));
      expect(mail.envelope.to).toEqual([email]);
      const headers = mail.raw.slice(0, mail.raw.search(/\r?\n\r?\n/));
      expect(headers).not.toMatch(/^Bcc:/im);
      expect(headers.match(/^Subject:/gim)).toHaveLength(1);
      expect(sink.messages.some((m) => m.envelope.to.includes('victim@example.com'))).toBe(false);
    });
  });
});
