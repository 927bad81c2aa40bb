import { useStack } from '@careflow/testing';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const RANK: Record<string, number> = { low: 0, normal: 1, high: 2, urgent: 3 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('finding tickets: filters, full text, sorts, pages', () => {
  const system = useStack({ services: ['tickets', 'segmentation'], env: { RATE_LIMIT_PER_MINUTE: '0' } });

  /** The fixture: five tickets tagged `fx`, each different in a way a filter can tell. */
  const fx: Record<'late' | 'refund' | 'lost' | 'password' | 'invoice', Json> = {} as never;

  beforeAll(async () => {
    for (const id of ['agent_an', 'agent_binh']) {
      await system.api.put(`/v1/agents/${id}`).set(system.admin()).send({ email: `${id}@shop.test` }).expect(200);
    }
    for (const key of ['support', 'returns']) {
      await system.api.post('/v1/groups').set(system.admin()).send({ key, name: key }).expect(201);
    }
    for (const [externalId, segment] of [['cus_s_vip', 'vip'], ['cus_s_walk', 'walk_in']] as const) {
      await system.stack.db.pool.query(
        `INSERT INTO tickets.customers (external_id, email, tags, version, updated_at, segment, segments)
         VALUES ($1, $2, '{}', 1, now(), $3, $4)`,
        [externalId, `${externalId}@example.com`, segment, [segment]],
      );
    }

    // Created one after another, a little apart, so createdAt orders them.
    fx.late = await create({
      subject: 'Đơn hàng của tôi bị trễ',
      description: 'Tôi đặt hàng tuần trước mà vẫn chưa nhận được.',
      customer: { externalId: 'cus_s_vip', email: 'cus_s_vip@example.com' },
      channel: 'email', tags: ['fx', 'delivery'], group: 'support', assignee: 'agent_an',
    });
    fx.refund = await create({
      subject: 'Refund for broken blender',
      description: 'It arrived cracked.',
      customer: { externalId: 'cus_s_walk', email: 'cus_s_walk@example.com' },
      channel: 'phone', type: 'problem', priority: 'low', tags: ['fx', 'refund'], group: 'returns',
    });
    fx.lost = await create({
      subject: 'Parcel lost in transit',
      description: 'The courier says a kangaroo took it.',
      customer: { email: 'no-id@example.com' },
      channel: 'web', type: 'shipment_exception', tags: ['fx', 'delivery'], assignee: 'agent_binh',
    });
    fx.password = await create({
      subject: 'Password reset question',
      description: 'The reset mail never comes.',
      customer: { externalId: 'cus_s_vip', email: 'cus_s_vip@example.com' },
      channel: 'chat', priority: 'urgent', tags: ['fx'],
    });
    fx.invoice = await create({
      subject: 'Invoice copy needed',
      description: 'For my accountant.',
      customer: { externalId: 'cus_s_plain', email: 'plain@example.com' },
      channel: 'api', type: 'task', tags: ['fx'],
    });
    await system.api.patch(`/v1/tickets/${fx.password.id}`).set(system.admin()).send({ status: 'pending' }).expect(200);
    await system.api.patch(`/v1/tickets/${fx.invoice.id}`).set(system.admin()).send({ status: 'solved' }).expect(200);
    await system.api
      .post(`/v1/tickets/${fx.refund.id}/comments`)
      .set(system.admin())
      .send({ body: 'The warehouse found the zanzibarite packaging was torn.', author: { type: 'agent', id: 'agent_an' } })
      .expect(201);
  });

  async function create(body: Json): Promise<Json> {
    await sleep(15);
    const res = await system.api.post('/v1/tickets').set(system.admin()).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function list(query: Record<string, string | number>): Promise<request.Response> {
    return system.api.get('/v1/tickets').query(query).set(system.admin());
  }

  /** Every page of a listing, in order. */
  async function all(query: Record<string, string | number>): Promise<Json[]> {
    const rows: Json[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await list(cursor ? { ...query, cursor } : query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      rows.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    return rows;
  }

  const names = (rows: Json[]) => {
    const byId = new Map(Object.entries(fx).map(([name, t]) => [t.id as string, name]));
    return rows.map((r) => byId.get(r.id) ?? r.id);
  };
  /** The fixture tickets a filter selects, oldest first (sort=createdAt). */
  const fixture = async (query: Record<string, string>) => names(await all({ tag: 'fx', sort: 'createdAt', ...query }));

  describe('filters', () => {
    it('lists newest first by default, as a page', async () => {
      const res = await list({ tag: 'fx' });
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      expect(names(res.body.data)).toEqual(['invoice', 'password', 'lost', 'refund', 'late']);
      expect(res.body.data[0]).toEqual((await system.api.get(`/v1/tickets/${fx.invoice.id}`).set(system.admin())).body);
    });

    it('filters by status (one or several)', async () => {
      // refund was opened by the agent's public reply.
      expect(await fixture({ status: 'new' })).toEqual(['late', 'lost']);
      expect(await fixture({ status: 'open' })).toEqual(['refund']);
      expect(await fixture({ status: 'new,open' })).toEqual(['late', 'refund', 'lost']);
      expect(await fixture({ status: 'pending,solved' })).toEqual(['password', 'invoice']);
      expect(await fixture({ status: 'closed' })).toEqual([]);
      // Repeated, as the document's array parameter is sent by generated clients.
      const repeated = await system.api.get('/v1/tickets?tag=fx&sort=createdAt&status=new&status=open').set(system.admin()).expect(200);
      expect(names(repeated.body.data)).toEqual(['late', 'refund', 'lost']);
    });

    it('filters by priority, segment and customer', async () => {
      // late: VIP question → high; lost: shipment exception → high; password: urgent given.
      expect(await fixture({ priority: 'high,urgent' })).toEqual(['late', 'lost', 'password']);
      expect(await fixture({ priority: 'low' })).toEqual(['refund']);
      expect(await fixture({ segment: 'vip' })).toEqual(['late', 'password']);
      expect(await fixture({ segment: 'walk_in' })).toEqual(['refund']);
      expect(await fixture({ customerExternalId: 'cus_s_vip' })).toEqual(['late', 'password']);
      expect(await fixture({ customerExternalId: 'cus_nobody' })).toEqual([]);
    });

    it('filters by group, tag, assignee, channel and type', async () => {
      expect(await fixture({ group: 'support' })).toEqual(['late']);
      expect(await fixture({ group: 'returns' })).toEqual(['refund']);
      expect(names(await all({ tag: 'delivery', sort: 'createdAt' }))).toEqual(['late', 'lost']);
      expect(await fixture({ assignee: 'agent_binh' })).toEqual(['lost']);
      expect(await fixture({ channel: 'phone' })).toEqual(['refund']);
      expect(await fixture({ type: 'shipment_exception' })).toEqual(['lost']);
      expect(await fixture({ type: 'task' })).toEqual(['invoice']);
    });

    it('filters by creation time on either side of a moment', async () => {
      const mid = new Date((Date.parse(fx.refund.createdAt) + Date.parse(fx.lost.createdAt)) / 2).toISOString();
      expect(Date.parse(mid)).toBeGreaterThan(Date.parse(fx.refund.createdAt));
      expect(Date.parse(mid)).toBeLessThan(Date.parse(fx.lost.createdAt));
      expect(await fixture({ createdAfter: mid })).toEqual(['lost', 'password', 'invoice']);
      expect(await fixture({ createdBefore: mid })).toEqual(['late', 'refund']);
    });

    it('combines filters with AND', async () => {
      expect(await fixture({ segment: 'vip', status: 'new' })).toEqual(['late']);
      expect(await fixture({ priority: 'high', channel: 'web' })).toEqual(['lost']);
      expect(await fixture({ group: 'support', assignee: 'agent_binh' })).toEqual([]);
    });
  });

  describe('full text', () => {
    it('ignores accents: "don hang" and "đơn hàng" both find "Đơn hàng của tôi bị trễ"', async () => {
      for (const q of ['don hang', 'đơn hàng', 'Đơn Hàng', 'DON HANG', 'bi tre', 'trễ']) {
        expect(names(await all({ q })), q).toEqual(['late']);
      }
    });

    it('searches the description and the comments too', async () => {
      expect(names(await all({ q: 'kangaroo' }))).toEqual(['lost']);
      expect(names(await all({ q: 'zanzibarite' }))).toEqual(['refund']);
      // A comment added now is searchable at once.
      await system.api
        .post(`/v1/tickets/${fx.password.id}/comments`)
        .set(system.admin())
        .send({ body: 'Đã gửi lại thư xác nhận', author: { type: 'customer', email: 'cus_s_vip@example.com' } })
        .expect(201);
      expect(names(await all({ q: 'xac nhan' }))).toEqual(['password']);
    });

    it('combines text with filters, and finds nothing for words nowhere', async () => {
      expect(names(await all({ q: 'parcel', status: 'solved' }))).toEqual([]);
      expect(names(await all({ q: 'parcel', status: 'new' }))).toEqual(['lost']);
      expect(await all({ q: 'xylophonequartz' })).toEqual([]);
    });
  });

  describe('sorts', () => {
    it('sorts by creation time both ways', async () => {
      expect(await fixture({ sort: 'createdAt' })).toEqual(['late', 'refund', 'lost', 'password', 'invoice']);
      expect(await fixture({ sort: '-createdAt' })).toEqual(['invoice', 'password', 'lost', 'refund', 'late']);
    });

    it('sorts by priority both ways', async () => {
      const up = await all({ tag: 'fx', sort: 'priority' });
      expect(up.map((t) => RANK[t.priority])).toEqual([0, 1, 2, 2, 3]);
      expect(names(up)[0]).toBe('refund');
      const down = await all({ tag: 'fx', sort: '-priority' });
      expect(down.map((t) => RANK[t.priority])).toEqual([3, 2, 2, 1, 0]);
    });

    it('sorts by last update both ways', async () => {
      const touched = await system.api.patch(`/v1/tickets/${fx.late.id}`).set(system.admin()).send({ tags: ['fx', 'delivery', 'touched'] }).expect(200);
      const recent = await all({ tag: 'fx', sort: '-updatedAt' });
      expect(recent[0]!.id).toBe(fx.late.id);
      expect(recent[0]!.updatedAt).toBe(touched.body.updatedAt);
      const times = recent.map((t) => Date.parse(t.updatedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const oldest = await all({ tag: 'fx', sort: 'updatedAt' });
      expect(oldest.map((t) => t.id)).toEqual(recent.map((t) => t.id).reverse());
    });
  });

  describe('bad query parameters', () => {
    it.each([
      ['status', 'bogus'],
      ['status', 'open,bogus'],
      ['priority', 'extreme'],
      ['segment', 'bogus'],
      ['channel', 'fax'],
      ['type', 'complaint'],
      ['createdAfter', 'yesterday'],
      ['createdBefore', '2026-13-45'],
      ['sort', 'name'],
      ['limit', '0'],
      ['limit', '201'],
      ['limit', 'ten'],
      ['cursor', 'garbage'],
    ])('%s=%s is a 400 naming the field', async (field, value) => {
      const res = await list({ [field]: value });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect((res.body.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
    });

    it('refuses a cursor of another sort, or one with forged values, with 400, never a 500', async () => {
      const page = await list({ tag: 'fx', limit: 2, sort: 'priority' });
      expect(page.status).toBe(200);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      const res = await list({ tag: 'fx', limit: 2, sort: 'updatedAt', cursor: page.body.nextCursor });
      expect(res.status).toBeLessThan(500);
      const forged = Buffer.from(JSON.stringify(['not a date', 'x'])).toString('base64url');
      const bad = await list({ cursor: forged });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('cursor');
    });
  });

  describe('pages', () => {
    it('sees every ticket exactly once while others are being created', async () => {
      const base = Array.from({ length: 60 }, (_, i) => ({
        subject: `Paging ticket ${i}`,
        description: 'Page me.',
        customer: { email: `pager${i}@example.com` },
        channel: 'web',
        priority: ['low', 'normal', 'high', 'urgent'][i % 4],
        tags: ['pg'],
      }));
      for (let i = 0; i < base.length; i += 10) {
        await Promise.all(base.slice(i, i + 10).map((b) => system.api.post('/v1/tickets').set(system.admin()).send(b).expect(201)));
      }
      const existing = (await system.stack.db.pool.query(`SELECT id FROM tickets.tickets WHERE 'pg' = ANY(tags)`)).rows.map((r) => r.id as string);
      expect(existing).toHaveLength(60);

      let writing = true;
      let written = 0;
      const writer = (async () => {
        while (writing) {
          await system.api
            .post('/v1/tickets')
            .set(system.admin())
            .send({ subject: `Concurrent ${written}`, description: 'x', customer: { email: 'late@example.com' }, channel: 'api', tags: ['pg'] })
            .expect(201);
          written++;
        }
      })();

      const seen: Json[] = [];
      let cursor: string | null = null;
      let pages = 0;
      try {
        do {
          const res: request.Response = await list(cursor ? { tag: 'pg', sort: '-createdAt', limit: 7, cursor } : { tag: 'pg', sort: '-createdAt', limit: 7 });
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expect(res.body.data.length).toBeLessThanOrEqual(7);
          seen.push(...res.body.data);
          cursor = res.body.nextCursor;
          pages++;
          await sleep(30); // let the writer get a few in between pages
        } while (cursor && pages < 100);
      } finally {
        writing = false;
        await writer;
      }
      expect(written).toBeGreaterThan(0);

      const ids = seen.map((t) => t.id as string);
      expect(new Set(ids).size, 'an id repeated across pages').toBe(ids.length);
      const seenSet = new Set(ids);
      expect(existing.filter((id) => !seenSet.has(id)), 'tickets missed').toEqual([]);
      // Newest first, without going back in time from one page to the next.
      const times = seen.map((t) => Date.parse(t.createdAt));
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]!);
    });

    it.each(['createdAt', 'priority', '-priority', 'updatedAt', '-updatedAt'])('pages by %s without gaps or repeats', async (sort) => {
      const everything = (await system.stack.db.pool.query(`SELECT id FROM tickets.tickets WHERE 'pg' = ANY(tags)`)).rows.map((r) => r.id as string);
      const paged = (await all({ tag: 'pg', sort, limit: 7 })).map((t) => t.id as string);
      expect(new Set(paged).size).toBe(paged.length);
      expect([...paged].sort()).toEqual([...everything].sort());
      const one = (await all({ tag: 'pg', sort, limit: 200 })).map((t) => t.id as string);
      expect(paged).toEqual(one);
    });
  });

  describe('a customer\'s timeline', () => {
    it('lists every ticket of the customer, of every channel, newest first', async () => {
      const client = system.client();
      const timeline = (limit?: number) => client.list('/v1/customers/{externalId}/tickets', { path: { externalId: 'cus_s_vip' }, query: { limit } });
      const tickets = [];
      for await (const ticket of timeline()) tickets.push(ticket);
      expect(names(tickets)).toEqual(['password', 'late']);
      expect(tickets.map((t) => t.channel)).toEqual(['chat', 'email']);

      const pages = [];
      for await (const page of timeline(1).pages()) pages.push(page);
      expect(pages.flatMap((p) => names(p.data))).toEqual(['password', 'late']);
      expect(Math.max(...pages.map((p) => p.data.length))).toBe(1);
    });

    it('takes no customerExternalId query: the path names the customer', async () => {
      const res = await system.api.get('/v1/customers/cus_s_vip/tickets').query({ customerExternalId: 'cus_s_walk' }).set(system.admin());
      expect(res.status).toBe(400);
      expect((res.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(['customerExternalId']);
    });

    it('has nothing for a customer without tickets (an empty page, or 404 for an unknown customer)', async () => {
      const res = await system.api.get('/v1/customers/cus_nobody/tickets').set(system.admin());
      expect([200, 404]).toContain(res.status);
      if (res.status === 200) expect(res.body).toEqual({ data: [], nextCursor: null });
      const known = await system.api.get('/v1/customers/cus_s_walk/tickets').set(system.admin());
      expect(known.status).toBe(200);
      expect(names(known.body.data)).toEqual(['refund']);
    });
  });
});
