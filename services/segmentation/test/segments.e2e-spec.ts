import { eventually, useStack } from '@careflow/testing';
import { describe, expect, it } from 'vitest';

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

let orderSeq = 0;
const MEMBERSHIPS = `SELECT c.external_id, m.segment, m.segments FROM segmentation.customers c JOIN segmentation.memberships m ON m.customer_id = c.id`;

describe('segments from real order histories, through the gateway', () => {
  // Outbox rows stay while the test counts them (they are deleted once confirmed delivered).
  const system = useStack({ services: ['segmentation', 'notifications', 'tickets'], env: { OUTBOX_CONFIRM_AFTER_MS: '600000' } });

  async function order(customer: string, o: { channel?: 'online' | 'in_store'; total?: string; currency?: string; days?: number; externalId?: string } = {}) {
    const externalId = o.externalId ?? `ord_seg_${++orderSeq}`;
    const res = await system.api
      .post('/v1/orders')
      .set(system.admin())
      .send({
        externalId,
        customerExternalId: customer,
        channel: o.channel ?? 'online',
        total: o.total ?? '100000',
        currency: o.currency ?? 'VND',
        placedAt: daysAgo(o.days ?? 1),
        items: [],
      });
    expect([200, 201]).toContain(res.status);
    return externalId;
  }

  async function customer(externalId: string) {
    const res = await system.api.get(`/v1/customers/${externalId}`).set(system.admin());
    return res;
  }

  /** Waits until the customer has `orders` orders counted, and returns them. */
  async function counted(externalId: string, orders: number) {
    return eventually(async () => {
      const res = await customer(externalId);
      expect(res.status).toBe(200);
      expect(res.body.stats.ordersCount).toBe(orders);
      return res.body;
    }, 20_000);
  }

  async function segmentEvents(externalId?: string): Promise<Array<Record<string, unknown>>> {
    const { rows } = await system.stack.db.pool.query(
      `SELECT payload FROM segmentation.outbox WHERE event = 'customer.segment_changed' ${externalId ? `AND payload->>'externalId' = $1` : ''} ORDER BY seq`,
      externalId ? [externalId] : [],
    );
    return rows.map((r) => r.payload);
  }

  it('reaches each default segment from an order history, with the statistics', async () => {
    await order('seg_vip', { total: '60000000', channel: 'online', days: 30 });
    await order('seg_regular', { channel: 'in_store', days: 100 });
    await order('seg_regular', { channel: 'online', days: 10 });
    await order('seg_online', { channel: 'online', days: 400 });
    await order('seg_walkin', { channel: 'in_store', days: 3 });
    await order('seg_walkin', { channel: 'in_store', days: 300, total: '19.90', currency: 'EUR' });
    await system.api.put('/v1/customers/seg_none').set(system.admin()).send({ email: 'none@example.com' }).expect(200);

    expect((await counted('seg_vip', 1)).segment).toBe('vip');
    const regular = await counted('seg_regular', 2);
    expect(regular).toMatchObject({ segment: 'regular', segments: ['regular', 'online', 'walk_in'] });
    expect(regular.stats).toMatchObject({ ordersCount: 2, onlineOrders: 1, inStoreOrders: 1, totalSpent: { VND: '200000' } });
    expect(new Date(regular.stats.firstOrderAt).getTime()).toBeLessThan(new Date(regular.stats.lastOrderAt).getTime());
    expect((await counted('seg_online', 1)).segments).toEqual(['online']);
    const walkIn = await counted('seg_walkin', 2);
    expect(walkIn).toMatchObject({ segment: 'walk_in', segments: ['walk_in'] });
    expect(walkIn.stats.totalSpent).toEqual({ VND: '100000', EUR: '19.9' });
    // Nothing matches: the fallback segment.
    expect((await customer('seg_none')).body).toMatchObject({ segment: 'online', segments: ['online'], stats: { ordersCount: 0, firstOrderAt: null } });

    const events = await segmentEvents('seg_regular');
    expect(events.at(-1)).toMatchObject({ segment: 'regular', previousSegment: 'walk_in', policy: { priorityBump: 0, slaPolicy: 'regular' } });
  });

  it('gives a VIP customer\'s new ticket the VIP policy', async () => {
    await order('seg_vip_ticket', { total: '80000000' });
    expect((await counted('seg_vip_ticket', 1)).segment).toBe('vip');
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT segment FROM tickets.customers WHERE external_id = 'seg_vip_ticket'`);
      expect(rows[0]?.segment).toBe('vip');
    }, 20_000);
    const ticket = await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Where is my order?', description: 'It has been a week.', channel: 'web', customer: { externalId: 'seg_vip_ticket', email: 'vip@example.com' } })
      .expect(201);
    expect(ticket.body).toMatchObject({ segment: 'vip', priority: 'high' });
    const { rows } = await system.stack.db.pool.query(`SELECT first_response_seconds FROM tickets.sla_policies WHERE segment = 'vip' AND priority = 'high'`);
    const due = new Date(ticket.body.firstResponseDueAt).getTime() - new Date(ticket.body.createdAt).getTime();
    expect(Math.round(due / 1000)).toBe(rows[0].first_response_seconds);
  });

  it('makes a customer first met on a ticket a customer here, so their shipment notices have an address', async () => {
    await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Question', description: 'Before I order…', channel: 'web', customer: { externalId: 'seg_from_ticket', email: 'from.ticket@example.com', name: 'Đỗ Minh Anh' } })
      .expect(201);
    const known = await eventually(async () => {
      const res = await customer('seg_from_ticket');
      expect(res.status).toBe(200);
      return res.body;
    }, 20_000);
    expect(known).toMatchObject({ email: 'from.ticket@example.com', name: 'Đỗ Minh Anh', origin: 'ticket', segment: 'online' });
    // What the shop PUTs later wins; a later ticket does not overwrite it.
    await system.api.put('/v1/customers/seg_from_ticket').set(system.admin()).send({ email: 'anh@shop-customer.example', name: 'Anh' }).expect(200);
    await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Again', description: 'Hello', channel: 'web', customer: { externalId: 'seg_from_ticket', email: 'other@example.com', name: 'Someone' } })
      .expect(201);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await customer('seg_from_ticket')).body).toMatchObject({ email: 'anh@shop-customer.example', name: 'Anh', origin: 'api' });

    // Without the shop's id: one customer per address, found by ?email=.
    for (let i = 0; i < 2; i++) {
      await system.api
        .post('/v1/tickets')
        .set(system.admin())
        .send({ subject: `Walk-in question ${i}`, description: 'Hi', channel: 'phone', customer: { email: 'No.Id@Example.com' } })
        .expect(201);
    }
    const byAddress = await eventually(async () => {
      const res = await system.api.get('/v1/customers').query({ email: 'no.id@example.com' }).set(system.admin()).expect(200);
      expect(res.body.data).toHaveLength(1);
      return res.body.data[0];
    }, 20_000);
    expect(byAddress.externalId).toMatch(/^cf_[0-9a-f]{32}$/);

    // A customer the shop never PUT gets their shipping notice at the address the ticket gave.
    await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Order soon', description: 'x', channel: 'web', customer: { externalId: 'seg_ticket_only', email: 'ticket.only@example.com' } })
      .expect(201);
    await eventually(async () => expect((await customer('seg_ticket_only')).status).toBe(200), 20_000);
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT email FROM notifications.customers WHERE external_id = 'seg_ticket_only'`);
      expect(rows[0]?.email).toBe('ticket.only@example.com');
    }, 20_000);
    const orderId = await order('seg_ticket_only');
    await system.api.post(`/v1/orders/${orderId}/shipments`).set(system.admin()).send({ carrier: 'UPS', trackingNumber: '1ZTICKETONLY' }).expect(201);
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(
        `SELECT to_address, status FROM notifications.outbound_messages WHERE customer_external_id = 'seg_ticket_only' AND ticket_id IS NULL`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].to_address).toBe('ticket.only@example.com');
      expect(rows[0].status).not.toBe('suppressed');
    }, 20_000);
  });

  it('lets the manual VIP flag and the override win over the rules', async () => {
    await order('seg_manual', { channel: 'in_store' });
    expect((await counted('seg_manual', 1)).segment).toBe('walk_in');
    const vip = await system.api.put('/v1/customers/seg_manual').set(system.admin()).send({ vip: true }).expect(200);
    expect(vip.body).toMatchObject({ segment: 'vip', segments: ['vip', 'walk_in'] });
    const overridden = await system.api.put('/v1/customers/seg_manual').set(system.admin()).send({ vip: true, segmentOverride: 'regular' }).expect(200);
    expect(overridden.body).toMatchObject({ segment: 'regular', segmentOverride: 'regular' });
    const notVip = await system.api.put('/v1/customers/seg_manual').set(system.admin()).send({ vip: false }).expect(200);
    expect(notVip.body).toMatchObject({ segment: 'walk_in', segments: ['walk_in'] });
    expect((await segmentEvents('seg_manual')).map((e) => e['segment'])).toEqual(['walk_in', 'vip', 'regular', 'walk_in']);
  });

  it('counts 50 concurrent orders of one customer exactly', async () => {
    const totals = Array.from({ length: 50 }, (_, i) => 1000 + i);
    await Promise.all(totals.map((t) => order('seg_burst', { total: String(t), channel: t % 2 ? 'online' : 'in_store' })));
    const body = await counted('seg_burst', 50);
    expect(body.stats).toMatchObject({ onlineOrders: 25, inStoreOrders: 25, totalSpent: { VND: String(totals.reduce((a, b) => a + b, 0)) } });
  });

  it('counts an order recorded twice once, with its latest total and channel', async () => {
    const id = await order('seg_twice', { total: '500', channel: 'online' });
    await order('seg_twice', { externalId: id, total: '500', channel: 'online' });
    await order('seg_twice', { externalId: id, total: '700', channel: 'in_store' });
    await eventually(async () => {
      const body = await counted('seg_twice', 1);
      expect(body.stats).toMatchObject({ totalSpent: { VND: '700' }, onlineOrders: 0, inStoreOrders: 1 });
      expect(body.segment).toBe('walk_in');
    }, 20_000);
  });

  it('recomputes on a rule change: exactly the customers who move, one event each', async () => {
    // Three in-store customers with 1, 3 and 5 orders (walk_in by the defaults, or regular).
    for (let i = 0; i < 1; i++) await order('seg_rule_a', { channel: 'in_store', days: 200 + i });
    for (let i = 0; i < 3; i++) await order('seg_rule_b', { channel: 'in_store', days: 200 + i });
    for (let i = 0; i < 5; i++) await order('seg_rule_c', { channel: 'in_store', days: 200 + i });
    await counted('seg_rule_a', 1);
    await counted('seg_rule_b', 3);
    await counted('seg_rule_c', 5);
    const current = (await system.api.get('/v1/segments/rules').set(system.admin()).expect(200)).body;
    const before = await segmentEvents();
    const { rows: customersBefore } = await system.stack.db.pool.query(MEMBERSHIPS);

    // A custom segment for 3+ orders in a year, and VIP from 5 orders in a year.
    const rules = {
      fallbackSegment: current.fallbackSegment,
      segments: [
        ...current.segments.map((s: { key: string; rule: unknown }) =>
          s.key === 'vip' ? { ...s, rule: { any: [{ ordersCount: { min: 5, withinDays: 365 } }] } } : s,
        ),
        { key: 'loyal', name: 'Loyal', rule: { ordersCount: { min: 3, withinDays: 365 } } },
      ],
    };
    const put = await system.api.put('/v1/segments/rules').set(system.admin()).send(rules).expect(202);
    expect(put.body).toMatchObject({ state: 'queued', rulesVersion: current.version + 1 });
    const done = await eventually(async () => {
      const r = await system.api.get(`/v1/segments/recomputes/${put.body.recomputeId}`).set(system.admin()).expect(200);
      expect(r.body.state).toBe('completed');
      return r.body;
    }, 30_000);
    expect(done.progress).toBe(1);

    // Who should move: every customer whose memberships the new rules change (loyal for 3+ orders in a year).
    const after = (await segmentEvents()).slice(before.length);
    const moved = after.map((e) => e['externalId']).sort();
    expect(new Set(moved).size).toBe(moved.length);
    expect(done.customersChanged).toBe(moved.length);
    const { rows: customersAfter } = await system.stack.db.pool.query(MEMBERSHIPS);
    const changed = customersAfter
      .filter((c) => JSON.stringify(c.segments) !== JSON.stringify(customersBefore.find((b) => b.external_id === c.external_id)?.segments))
      .map((c) => c.external_id)
      .sort();
    expect(moved).toEqual(changed);
    expect(moved).toEqual(expect.arrayContaining(['seg_rule_b', 'seg_rule_c', 'seg_burst']));
    expect(moved).not.toContain('seg_rule_a');
    expect((await customer('seg_rule_c')).body).toMatchObject({ segment: 'vip', segments: ['vip', 'walk_in', 'loyal'] });
    expect((await customer('seg_rule_b')).body).toMatchObject({ segment: 'walk_in', segments: ['walk_in', 'loyal'] });
    // The VIP by spend lost it: the new VIP rule only counts orders.
    expect((await customer('seg_vip')).body.segment).toBe('online');

    const list = await system.api.get('/v1/segments').set(system.admin()).expect(200);
    const loyal = list.body.data.find((s: { key: string }) => s.key === 'loyal');
    expect(loyal).toMatchObject({ builtIn: false, primaryCount: 0, memberCount: customersAfter.filter((c) => c.segments.includes('loyal')).length });
    const members = await system.api.get('/v1/customers').query({ segment: 'loyal', limit: 200 }).set(system.admin()).expect(200);
    expect(members.body.data.map((c: { externalId: string }) => c.externalId).sort()).toEqual(
      customersAfter.filter((c) => c.segments.includes('loyal')).map((c) => c.external_id).sort(),
    );

    // The same rules again: a recompute that changes nobody announces nothing.
    const count = (await segmentEvents()).length;
    const again = await system.api.put('/v1/segments/rules').set(system.admin()).send(rules).expect(202);
    await eventually(async () => {
      const r = await system.api.get(`/v1/segments/recomputes/${again.body.recomputeId}`).set(system.admin()).expect(200);
      expect(r.body).toMatchObject({ state: 'completed', customersChanged: 0 });
    }, 30_000);
    expect((await segmentEvents()).length).toBe(count);
  });

  it('names every bad field of a rule set and stores nothing', async () => {
    const before = (await system.api.get('/v1/segments/rules').set(system.admin()).expect(200)).body.version;
    const res = await system.api
      .put('/v1/segments/rules')
      .set(system.admin())
      .send({
        fallbackSegment: 'gold',
        segments: [
          { key: 'vip', rule: { totalSpent: { currency: 'XYZ', min: '-5' } }, policy: { priorityBump: 9, slaPolicy: 'vip', preferredChannel: 'email' } },
          { key: 'regular', rule: { ordersCount: { min: -1, bogus: 1 } }, policy: { priorityBump: 0, slaPolicy: 'regular', preferredChannel: 'email' } },
          { key: 'online', rule: { nonsense: true }, policy: { priorityBump: 0, slaPolicy: 'online', preferredChannel: 'email' } },
          { key: 'walk_in', rule: { channelShare: { channel: 'in_store', min: 1.5 } }, policy: { priorityBump: 0, slaPolicy: 'walk_in', preferredChannel: 'email' } },
          { key: 'Bad Key', name: 'x', rule: { tags: { any: ['a'] } } },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(
      [
        'fallbackSegment',
        'segments.0.policy.priorityBump',
        'segments.0.rule.totalSpent.currency',
        'segments.0.rule.totalSpent.min',
        'segments.1.rule.ordersCount.bogus',
        'segments.1.rule.ordersCount.min',
        'segments.2.rule',
        'segments.3.rule.channelShare.min',
        'segments.4.key',
      ].sort(),
    );
    const deep = { not: {} as Record<string, unknown> };
    let node = deep.not;
    for (let i = 0; i < 10; i++) node = (node['not'] = {}) as Record<string, unknown>;
    const tooDeep = await system.api
      .put('/v1/segments/rules')
      .set(system.admin())
      .send({ fallbackSegment: 'online', segments: ['vip', 'regular', 'online', 'walk_in'].map((key) => ({ key, rule: deep, policy: { priorityBump: 0, slaPolicy: key, preferredChannel: 'email' } })) });
    expect(tooDeep.status).toBe(400);
    expect((await system.api.get('/v1/segments/rules').set(system.admin()).expect(200)).body.version).toBe(before);
  });

  it('lists customers by segment, tag, address and accent-insensitive text, in cursor pages', async () => {
    await system.api.put('/v1/customers/seg_list_1').set(system.admin()).send({ name: 'Nguyễn Thị Lan', email: 'lan@example.com', tags: ['hanoi'] }).expect(200);
    await system.api.put('/v1/customers/seg_list_2').set(system.admin()).send({ name: 'Trần Văn Nam', email: 'NAM@example.com', tags: ['hanoi'] }).expect(200);
    await system.api.put('/v1/customers/seg_list_3').set(system.admin()).send({ name: 'Lê Minh', email: 'minh@example.com' }).expect(200);
    await system.api.put('/v1/customers/seg_list_4').set(system.admin()).send({ name: 'Jürgen Weißmüller', email: 'jw@example.de' }).expect(200);
    // Folded as ticket search folds: ß is ss, as unaccent writes it.
    const bySharpS = await system.api.get('/v1/customers').query({ q: 'weissmuller' }).set(system.admin()).expect(200);
    expect(bySharpS.body.data.map((c: { externalId: string }) => c.externalId)).toEqual(['seg_list_4']);
    const byText = await system.api.get('/v1/customers').query({ q: 'nguyen lan' }).set(system.admin()).expect(200);
    expect(byText.body.data.map((c: { externalId: string }) => c.externalId)).toEqual(['seg_list_1']);
    const byPart = await system.api.get('/v1/customers').query({ q: 'NAM@exa' }).set(system.admin()).expect(200);
    expect(byPart.body.data.map((c: { externalId: string }) => c.externalId)).toEqual(['seg_list_2']);
    const wildcard = await system.api.get('/v1/customers').query({ q: '%' }).set(system.admin()).expect(200);
    expect(wildcard.body.data).toEqual([]);
    const byEmail = await system.api.get('/v1/customers').query({ email: 'nam@EXAMPLE.com' }).set(system.admin()).expect(200);
    expect(byEmail.body.data.map((c: { externalId: string }) => c.externalId)).toEqual(['seg_list_2']);
    const first = await system.api.get('/v1/customers').query({ tag: 'hanoi', limit: 1 }).set(system.admin()).expect(200);
    expect(first.body.data.map((c: { externalId: string }) => c.externalId)).toEqual(['seg_list_2']);
    const second = await system.api.get('/v1/customers').query({ tag: 'hanoi', limit: 1, cursor: first.body.nextCursor }).set(system.admin()).expect(200);
    expect(second.body).toMatchObject({ data: [{ externalId: 'seg_list_1' }], nextCursor: null });
    const bad = await system.api.get('/v1/customers').query({ segment: 'Not A Key', email: 'nope' }).set(system.admin());
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'segment']);
  });

});
