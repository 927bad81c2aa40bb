import { SmtpSink, WriteWatch, eventually, useStack } from '@careflow/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostileRequests, INVALID_UTF8, LONE_SURROGATES, NOT_RFC3339, RFC3339, SURROGATE, forgedCursors, jsonWith, rawJson } from './hostile-input.support.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Issue "Hostile input never reaches Postgres", orders, shipments, tracking events and the
 * notification log (the notifications service): each hostile value is refused with a 400
 * naming the field, and a refused request writes no row in any service's schema.
 */
describe('hostile input: orders, shipments, tracking events, notifications', () => {
  let sink: SmtpSink;
  let hostile: HostileRequests;
  const unique = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;

  // Registered before the stack, so the sink is up before it starts and stops after it.
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => sink?.stop());
  const system = useStack(() => ({ services: ['notifications', 'segmentation'], env: { RATE_LIMIT_PER_MINUTE: '0', SMTP_URL: sink.url } }));

  beforeAll(async () => {
    // A fixture's mail is sent a moment later (and its row updated): wait for it, however slow the SMTP round trip.
    const mailQueued = async () => (await system.stack.db.pool.query(`SELECT 1 FROM notifications.outbound_messages WHERE status = 'queued' LIMIT 1`)).rowCount! > 0;
    hostile = new HostileRequests(new WriteWatch(system.stack.db.pool, undefined, mailQueued));
  });

  /** A request that sets up the story: it must succeed, and its jobs finish before the next check. */
  async function fixture(send: request.Test, status = [200, 201, 202]): Promise<Json> {
    const res = await send;
    hostile.watch.touched();
    expect(status, `fixture → ${res.status} ${res.text}`).toContain(res.status);
    return res.body;
  }

  const item = (overrides: Json = {}) => ({ sku: 'MUG-01', name: 'Cốc gốm Bát Tràng', quantity: 2, price: '125000.00', ...overrides });
  function orderBody(overrides: Json = {}): Json {
    return { externalId: unique('ord'), customerExternalId: 'cus_hostile', channel: 'online', total: '250000.00', currency: 'VND', placedAt: '2026-11-20T08:15:00Z', items: [item()], ...overrides };
  }
  const postOrder = () => system.api.post('/v1/orders').set(system.admin());

  /** A customer every service knows (the notifications service has the contact), with an order. */
  async function customerWithOrder(): Promise<{ customer: string; order: string }> {
    const customer = unique('cus');
    await fixture(system.api.put(`/v1/customers/${customer}`).set(system.admin()).send({ email: `${customer}@example.com`, name: 'Lan', locale: 'en' }));
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT 1 FROM notifications.customers WHERE external_id = $1`, [customer]);
      expect(rows).toHaveLength(1);
    });
    const order = (await fixture(postOrder().send(orderBody({ customerExternalId: customer })))).externalId as string;
    return { customer, order };
  }
  const newShipment = (order: string) => fixture(system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: unique('1Z').toUpperCase() }));
  const postEvent = (shipment: string) => system.api.post(`/v1/shipments/${shipment}/events`).set(system.admin());
  const event = (overrides: Json = {}) => ({ eventId: unique('evt'), status: 'in_transit', occurredAt: '2026-11-22T18:00:00Z', description: 'Đang vận chuyển', ...overrides });

  describe('NUL characters (#1)', () => {
    it('rejects NUL in an order item\'s name, and in an item\'s key (#1)', async () => {
      await hostile.rejects('POST /v1/orders item name with NUL', postOrder().send(orderBody({ items: [item({ name: 'Cốc\u0000gốm' })] })), { field: 'items.0.name', message: /NUL/ });
      await hostile.rejects('POST /v1/orders item key with NUL', postOrder().send(orderBody({ items: [{ ...item(), 'na\u0000me': 'x' }] })), { field: 'items.0.na\u0000me', message: /NUL/ });
    });

    it('rejects NUL in a shipment\'s tracking number (#1)', async () => {
      const { order } = await customerWithOrder();
      await hostile.rejects('POST shipment trackingNumber with NUL', system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: '1Z999\u0000AA1' }), { field: 'trackingNumber', message: /NUL/ });
    });

    it('rejects NUL in a tracking event\'s id and description (#1)', async () => {
      const { order } = await customerWithOrder();
      const shipment = await newShipment(order);
      await hostile.rejects('POST event eventId with NUL', postEvent(shipment.id).send(event({ eventId: 'evt\u00001' })), { field: 'eventId', message: /NUL/ });
      await hostile.rejects('POST event description with NUL', postEvent(shipment.id).send(event({ description: 'Đang\u0000 vận chuyển' })), { field: 'description', message: /NUL/ });
    });
  });

  describe('lone surrogates (#2)', () => {
    it('rejects lone surrogates in an order item\'s name (#2)', async () => {
      for (const escape of LONE_SURROGATES) {
        const text = jsonWith(orderBody({ items: [item({ name: `Cốc${SURROGATE}` })] }), SURROGATE, escape);
        await hostile.rejects(`POST /v1/orders item name "Cốc${escape}"`, rawJson(postOrder(), text), { field: 'items.0.name', message: /surrogate/ });
      }
    });

    it('rejects lone surrogates in a tracking event\'s description (#2)', async () => {
      const { order } = await customerWithOrder();
      const shipment = await newShipment(order);
      for (const escape of LONE_SURROGATES) {
        const text = jsonWith(event({ description: `Đang${SURROGATE}` }), SURROGATE, escape);
        await hostile.rejects(`POST event description "Đang${escape}"`, rawJson(postEvent(shipment.id), text), { field: 'description', message: /surrogate/ });
      }
    });
  });

  describe('date-times (#3)', () => {
    it('rejects an order placedAt that is not an RFC 3339 date-time, with one message (#3)', async () => {
      for (const placedAt of NOT_RFC3339) {
        await hostile.rejects(`POST /v1/orders placedAt=${placedAt}`, postOrder().send(orderBody({ placedAt })), { field: 'placedAt', message: /RFC 3339/ });
      }
    });

    it('rejects a tracking event occurredAt that is not an RFC 3339 date-time, with one message (#3)', async () => {
      const { order } = await customerWithOrder();
      const shipment = await newShipment(order);
      for (const occurredAt of NOT_RFC3339) {
        await hostile.rejects(`POST event occurredAt=${occurredAt}`, postEvent(shipment.id).send(event({ occurredAt })), { field: 'occurredAt', message: /RFC 3339/ });
      }
    });

    it('still accepts RFC 3339 date-times in placedAt and occurredAt, lowercase t and z included (#3)', async () => {
      const { order } = await customerWithOrder();
      const shipment = await newShipment(order);
      for (const value of RFC3339) {
        const recorded = await hostile.accepts(`POST /v1/orders placedAt=${value}`, postOrder().send(orderBody({ placedAt: value })), 201);
        if (recorded.status === 201) expect.soft(Date.parse(recorded.body.placedAt), `placedAt=${value}`).toBe(Date.parse(value.toUpperCase()));
        await hostile.accepts(`POST event occurredAt=${value}`, postEvent(shipment.id).send(event({ occurredAt: value })), 202);
      }
    });
  });

  describe('forged cursors (#4)', () => {
    it('rejects forged cursors of the orders and the notification log (#4)', async () => {
      const { customer, order } = await customerWithOrder();
      await fixture(postOrder().send(orderBody({ customerExternalId: customer })));
      await newShipment(order);
      await newShipment(order);
      await eventually(async () => {
        const res = await system.api.get('/v1/notifications').query({ customerExternalId: customer }).set(system.admin());
        expect(res.body.data?.length).toBeGreaterThanOrEqual(2);
      });
      for (const path of ['/v1/orders', '/v1/notifications']) {
        const first = await system.api.get(path).query({ customerExternalId: customer, limit: 1 }).set(system.admin());
        expect(first.body.nextCursor, `${path}: ${first.text}`).toEqual(expect.any(String));
        for (const { label, cursor } of forgedCursors(first.body.nextCursor)) {
          await hostile.rejects(`GET ${path} cursor ${label}`, system.api.get(path).query({ customerExternalId: customer, cursor }).set(system.admin()), { field: 'cursor' });
        }
      }
    });
  });

  describe('deep nesting (#6)', () => {
    it('rejects JSON nested 10,000 levels on POST /v1/orders (#6)', async () => {
      const deep = '['.repeat(10_000) + ']'.repeat(10_000);
      await hostile.rejects('POST /v1/orders items nested 10,000 levels', rawJson(postOrder(), JSON.stringify(orderBody({ items: '@@DEEP@@' })).replace('"@@DEEP@@"', deep)));
      await hostile.rejects('POST /v1/orders body nested 10,000 levels', rawJson(postOrder(), deep));
    });
  });

  describe('nested arrays (#7)', () => {
    it('rejects nested arrays of order items, however many they hold (#7)', async () => {
      await hostile.rejects('POST /v1/orders items [[item, item]]', postOrder().send(orderBody({ items: [[item(), item()]] })), { field: ['items.0', 'items'] });
      const many = Array.from({ length: 600 }, (_, i) => item({ sku: `SKU-${i}` }));
      await hostile.rejects('POST /v1/orders items [[600 items]]', postOrder().send(orderBody({ items: [many] })), { field: ['items.0', 'items'] });
    });

    it('rejects nested arrays of shipment items, however many they hold (#7)', async () => {
      const { order } = await customerWithOrder();
      const shipment = (items: unknown) => system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: unique('1Z').toUpperCase(), items });
      await hostile.rejects('POST shipment items [[item, item]]', shipment([[item(), item()]]), { field: ['items.0', 'items'] });
      await hostile.rejects('POST shipment items [[600 items]]', shipment([Array.from({ length: 600 }, (_, i) => item({ sku: `SKU-${i}` }))]), { field: ['items.0', 'items'] });
    });
  });

  describe('tracking events from the far future (#9)', () => {
    it('rejects an occurredAt far or more than a day in the future, so a real delivery still moves the shipment and mails the shopper (#9)', async () => {
      const { customer, order } = await customerWithOrder();
      const shipment = await newShipment(order);

      await hostile.rejects('POST event occurredAt=9999-12-31T23:59:59-23:59', postEvent(shipment.id).send(event({ occurredAt: '9999-12-31T23:59:59-23:59' })), { field: 'occurredAt' });
      const tomorrow = new Date(Date.now() + 25 * 3600_000).toISOString();
      await hostile.rejects(`POST event occurredAt=${tomorrow} (now + 25 h)`, postEvent(shipment.id).send(event({ status: 'out_for_delivery', occurredAt: tomorrow })), { field: 'occurredAt', message: /future/ });

      const delivered = await postEvent(shipment.id).send(event({ status: 'delivered', occurredAt: new Date().toISOString(), description: 'Đã giao hàng' }));
      hostile.watch.touched();
      expect(delivered.status, delivered.text).toBe(202);
      expect(delivered.body, 'a delivery now moves the shipment on').toEqual({ accepted: true, status: 'delivered' });
      const read = await system.api.get(`/v1/orders/${order}`).set(system.admin()).expect(200);
      expect(read.body.shipments[0]).toMatchObject({ id: shipment.id, status: 'delivered' });
      await eventually(async () => {
        const log = await system.api.get('/v1/notifications').query({ customerExternalId: customer, template: 'shipment_delivered' }).set(system.admin()).expect(200);
        expect(log.body.data.map((n: Json) => n['shipmentId'])).toEqual([shipment.id]);
      });
    });
  });

  describe('carrier names that normalise to nothing (#10)', () => {
    it('rejects carriers "---", "   ", an emoji and ".." and records no shipment (#10)', async () => {
      const { order } = await customerWithOrder();
      for (const carrier of ['---', '   ', '😀', '..']) {
        await hostile.rejects(
          `POST shipment carrier ${JSON.stringify(carrier)}`,
          system.api.post(`/v1/orders/${order}/shipments`).set(system.admin()).send({ carrier, trackingNumber: unique('TRK').toUpperCase() }),
          { field: 'carrier' },
        );
      }
    });
  });

  describe('invalid UTF-8 (#12)', () => {
    it('rejects an order whose JSON holds bytes that are not UTF-8 as malformed-json, storing nothing (#12)', async () => {
      for (const [label, bytes] of INVALID_UTF8) {
        const [before, after] = JSON.stringify(orderBody({ items: [item({ name: 'Cốc @@BYTES@@' })] })).split('@@BYTES@@') as [string, string];
        const body = Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
        await hostile.rejects(`POST /v1/orders with ${label} in an item name`, rawJson(postOrder(), body), { code: 'malformed-json', detail: /UTF-8/ });
      }
    });
  });

  describe('also: messages that say what is wrong', () => {
    it('says an item quantity given as the string "2" must be an integer', async () => {
      const res = await hostile.rejects('POST /v1/orders quantity "2"', postOrder().send(orderBody({ items: [item({ quantity: '2' })] })), { field: 'items.0.quantity', message: /integer/ });
      const message = (res.body.errors ?? []).find((e: Json) => e['field'] === 'items.0.quantity')?.message;
      if (message) expect.soft(message, 'not a range message').not.toMatch(/greater|less/);
    });

    it('says items null must be an array', async () => {
      const res = await hostile.rejects('POST /v1/orders items null', postOrder().send(orderBody({ items: null })), { field: 'items', message: /array/ });
      const message = (res.body.errors ?? []).find((e: Json) => e['field'] === 'items')?.message;
      if (message) expect.soft(message, 'not a size message').not.toMatch(/more than|at most|max/);
    });
  });

  it('logs no SQL parameters and no errors for the hostile input above', () => {
    for (const service of ['gateway', 'notifications', 'segmentation'] as const) {
      const lines = system.stack.logs(service).split('\n');
      expect.soft(lines.filter((l) => l.includes('"parameters"')).map((l) => l.slice(0, 300)), `${service}: log lines with SQL parameters`).toEqual([]);
      expect.soft(lines.filter((l) => /"level":"(error|fatal)"/.test(l)).map((l) => l.slice(0, 300)), `${service}: error log lines`).toEqual([]);
    }
  });
});
