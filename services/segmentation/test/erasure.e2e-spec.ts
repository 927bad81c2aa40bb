import { SmtpSink, eventually, textOccurrences, useStack } from '@careflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Right to erasure across the system: after DELETE /v1/customers/{id}, no table of any service
 * holds the customer's name, address, phone or what they wrote, while their order and ticket
 * stay for the shop's books.
 */
describe('erasing a customer, through the gateway', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => sink?.stop());
  const system = useStack(() => ({ env: { SMTP_URL: sink.url } }));

  const SCHEMAS = ['segmentation', 'tickets', 'notifications', 'gateway', 'email_ingest'];

  async function leftovers(needles: string[]) {
    const found = (
      await Promise.all(
        SCHEMAS.map(async (schema) => (await textOccurrences(system.stack.db.pool, schema, needles)).map((o) => ({ schema, table: o.table, column: o.column, needle: o.needle }))),
      )
    ).flat();
    // Stored responses for Idempotency-Key replays are bytes: search them as such.
    const { rows } = await system.stack.db.pool.query(
      `SELECT key, t.text FROM gateway.idempotency_records r, unnest($1::text[]) AS t(text)
        WHERE r.response_body IS NOT NULL AND position(convert_to(t.text, 'UTF8') IN r.response_body) > 0`,
      [needles],
    );
    return [...found, ...rows.map((r) => ({ schema: 'gateway', table: 'idempotency_records', column: 'response_body', needle: r.text as string }))];
  }

  async function customerWithHistory(id: string, who: { email: string; name: string; phone: string; secret: string }) {
    await system.api.put(`/v1/customers/${id}`).set(system.admin()).send({ email: who.email, name: who.name, phone: who.phone, tags: ['hanoi'] }).expect(200);
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT 1 FROM notifications.customers WHERE external_id = $1 AND email IS NOT NULL`, [id]);
      expect(rows).toHaveLength(1);
    }, 20_000);
    const order = `ord_${id}`;
    await system.api
      .post('/v1/orders')
      .set(system.admin())
      .send({ externalId: order, customerExternalId: id, channel: 'online', total: '250000', currency: 'VND', placedAt: '2026-11-20T08:15:00Z', items: [] })
      .expect(201);
    const shipment = await system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: `1Z${id}` }).expect(201);
    const ticket = await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .set('idempotency-key', `ticket-${id}`)
      .send({
        subject: `${who.name}: my parcel is lost`,
        description: `Please call ${who.phone}. ${who.secret}`,
        channel: 'web',
        customer: { externalId: id, email: who.email, name: who.name },
      })
      .expect(201);
    await system.api
      .post(`/v1/tickets/${ticket.body.id}/comments`)
      .set(system.admin())
      .send({ body: `Still waiting. ${who.secret} again`, public: true, author: { type: 'customer', email: who.email } })
      .expect(201);
    await system.api
      .post(`/v1/tickets/${ticket.body.id}/comments`)
      .set(system.admin())
      .send({ body: `Dear ${who.name}, we are on it.`, public: true, author: { type: 'agent', id: 'agent_1' } })
      .expect(201);
    // The shipping notice, the acknowledgement and the agent's reply reached the customer.
    await eventually(() => expect(sink.messages.filter((m) => m.envelope.to.includes(who.email)).length).toBeGreaterThanOrEqual(3), 30_000);
    return { order, shipment: shipment.body.id as string, ticket: ticket.body.id as string };
  }

  it('leaves no personal data in any service, keeps the books, and is not undone by later events', async () => {
    await system.api.put('/v1/agents/agent_1').set(system.admin()).send({ email: 'agent@shop.test', name: 'Agent One' }).expect(200);
    const erased = { email: 'hang.pham@example.com', name: 'Phạm Thu Hằng', phone: '+84 988 111 222', secret: 'the gate code is 7731' };
    const kept = { email: 'minh.le@example.com', name: 'Lê Văn Minh', phone: '+84 977 333 444', secret: 'leave it with neighbour 8842' };
    const history = await customerWithHistory('cus_erased', erased);
    await customerWithHistory('cus_kept', kept);
    const needles = [erased.email, erased.name, erased.phone, erased.secret];
    expect((await leftovers(needles)).length).toBeGreaterThan(0);

    await system.api.delete('/v1/customers/cus_erased').set(system.admin()).expect(204);
    expect((await system.api.get('/v1/customers/cus_erased').set(system.admin())).status).toBe(404);
    expect((await system.api.delete('/v1/customers/cus_erased').set(system.admin())).status).toBe(404);

    // Every service has handled customer.erased, and the outboxes have let go of their events.
    await eventually(async () => expect(await leftovers(needles)).toEqual([]), 30_000);

    // The books stay: the order with its shipment, the ticket with its number and status.
    const order = await system.api.get(`/v1/orders/${history.order}`).set(system.admin()).expect(200);
    expect(order.body).toMatchObject({ customerExternalId: 'cus_erased', total: '250000.00', shipments: [{ id: history.shipment }] });
    const ticket = await system.api.get(`/v1/tickets/${history.ticket}`).set(system.admin()).expect(200);
    expect(ticket.body).toMatchObject({ status: 'open', customer: { externalId: 'cus_erased' } });
    expect(typeof ticket.body.number).toBe('number');

    // Later events about the customer bring nothing back: a new order is not counted for them.
    await system.api
      .post('/v1/orders')
      .set(system.admin())
      .send({ externalId: 'ord_after_erasure', customerExternalId: 'cus_erased', channel: 'online', total: '1', currency: 'VND', placedAt: '2026-11-21T08:15:00Z', items: [] })
      .expect(201);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await system.api.get('/v1/customers/cus_erased').set(system.admin())).status).toBe(404);
    expect(await leftovers(needles)).toEqual([]);

    // The other customer is untouched everywhere.
    const other = await system.api.get('/v1/customers/cus_kept').set(system.admin()).expect(200);
    expect(other.body).toMatchObject({ email: kept.email, name: kept.name, phone: kept.phone });
    const keptLeft = await leftovers([kept.email, kept.secret]);
    expect(new Set(keptLeft.map((o) => o.schema))).toEqual(new Set(['segmentation', 'tickets', 'notifications', 'gateway']));

    // The shop can create the customer again: a new record, announced above the erased versions.
    const again = await system.api.put('/v1/customers/cus_erased').set(system.admin()).send({ email: 'new.address@example.com' }).expect(200);
    expect(again.body).toMatchObject({ email: 'new.address@example.com', name: null, stats: { ordersCount: 0 } });
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT email FROM tickets.customers WHERE external_id = 'cus_erased'`);
      expect(rows[0]?.email).toBe('new.address@example.com');
    }, 20_000);
  });
});
