import { useStack } from '@careflow/testing';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** regular/normal nextResponseSeconds by default (8 h). */
const REGULAR_NORMAL_NEXT_RESPONSE_SECONDS = 8 * 3600;

describe('comments, the audit trail, groups and agents', () => {
  const system = useStack({ services: ['tickets', 'segmentation'], env: { RATE_LIMIT_PER_MINUTE: '0' } });
  let seq = 0;
  const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${++seq}`;

  beforeAll(async () => {
    await system.api.put('/v1/agents/agent_7').set(system.admin()).send({ email: 'minh@shop.test', name: 'Minh' }).expect(200);
  });

  async function create(overrides: Json = {}): Promise<Json> {
    const id = unique('cus');
    const res = await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Blender arrived broken', description: 'The jug is cracked.', customer: { externalId: id, email: `${id}@example.com`, name: 'Lan' }, channel: 'web', ...overrides });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function get(id: string): Promise<Json> {
    const res = await system.api.get(`/v1/tickets/${id}`).set(system.admin());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  async function setStatus(id: string, ...steps: string[]): Promise<Json> {
    let body: Json = {};
    for (const status of steps) body = (await system.api.patch(`/v1/tickets/${id}`).set(system.admin()).send({ status }).expect(200)).body;
    return body;
  }

  function comment(id: string, body: Json) {
    return system.api.post(`/v1/tickets/${id}/comments`).set(system.admin()).send(body);
  }

  async function posted(id: string, body: Json): Promise<Json> {
    const res = await comment(id, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function events(id: string, type?: string): Promise<Json[]> {
    const res = await system.api.get(`/v1/tickets/${id}/events`).query({ limit: 200 }).set(system.admin());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.data as Json[]).filter((e) => !type || e.type === type);
  }

  async function outboxEvents(ticketId: string): Promise<Json[]> {
    const { rows } = await system.stack.db.pool.query(`SELECT event, payload FROM tickets.outbox WHERE payload->'ticket'->>'id' = $1 ORDER BY seq`, [ticketId]);
    return rows;
  }

  const agentSays = (body: string, extra: Json = {}) => ({ body, author: { type: 'agent', id: 'agent_7' }, ...extra });
  const customerSays = (t: Json, body: string, extra: Json = {}) => ({ body, author: { type: 'customer', email: t.customer.email }, ...extra });

  describe('comments', () => {
    it('a first public agent reply opens a new ticket, satisfies the first response and is announced', async () => {
      const t = await create();
      const c = await posted(t.id, agentSays('We are sending a new jug today.', {
        attachments: [{ name: 'label.pdf', contentType: 'application/pdf', size: 5120, contentRef: 'https://files.shop.test/label.pdf' }],
      }));
      expect(c).toMatchObject({
        ticketId: t.id,
        body: 'We are sending a new jug today.',
        public: true,
        // The agent's registered name and address, though the request gave only the id.
        author: { type: 'agent', id: 'agent_7', name: 'Minh', email: 'minh@shop.test' },
        attachments: [{ name: 'label.pdf', contentType: 'application/pdf', size: 5120, contentRef: 'https://files.shop.test/label.pdf' }],
      });
      expect(c.id).toMatch(UUID);
      const outbox = await outboxEvents(t.id);
      const announced = outbox.filter((r) => r.event === 'ticket.comment_added');
      expect(announced.map((r) => [r.payload.comment.id, r.payload.comment.public])).toEqual([[c.id, true]]);

      const after = await get(t.id);
      expect(after.status).toBe('open');
      expect(after.firstRespondedAt).not.toBeNull();
      expect(Math.abs(Date.parse(after.firstRespondedAt) - Date.parse(c.createdAt))).toBeLessThan(1_000);
      expect(after.nextResponseDueAt).toBeNull();

      const added = await events(t.id, 'comment_added');
      expect(added).toHaveLength(1);
      expect(added[0]!.data).toMatchObject({ commentId: c.id, public: true });
      expect(await events(t.id, 'status_changed')).toEqual([expect.objectContaining({ from: 'new', to: 'open' })]);

      // A second agent reply does not move the first response.
      await sleep(20);
      await posted(t.id, agentSays('Tracking number follows.'));
      expect((await get(t.id)).firstRespondedAt).toBe(after.firstRespondedAt);
    });

    it('comments are public by default', async () => {
      const t = await create();
      const c = await posted(t.id, { body: 'Default visibility', author: { type: 'agent', id: 'agent_7' } });
      expect(c.public).toBe(true);
      expect(c.attachments).toEqual([]);
    });

    it('an internal note changes neither status nor first response, and is announced as internal', async () => {
      const t = await create();
      const note = await posted(t.id, agentSays('Customer had two broken jugs before.', { public: false }));
      expect(note.public).toBe(false);
      const after = await get(t.id);
      expect(after).toMatchObject({ status: 'new', firstRespondedAt: null, nextResponseDueAt: null });
      expect((await events(t.id, 'comment_added'))[0]!.data).toMatchObject({ commentId: note.id, public: false });
      const announced = (await outboxEvents(t.id)).filter((r) => r.event === 'ticket.comment_added');
      expect(announced.map((r) => r.payload.comment.public)).toEqual([false]);
    });

    it('a customer reply after the first response starts the next-response clock; the agent\'s answer stops it', async () => {
      const t = await create();
      // Before anyone answered, a customer's follow-up does not start a next-response clock.
      await posted(t.id, customerSays(t, 'Any news?'));
      const unanswered = await get(t.id);
      expect(unanswered).toMatchObject({ status: 'new', nextResponseDueAt: null, firstRespondedAt: null });

      await posted(t.id, agentSays('Yes, on its way.'));
      const reply = await posted(t.id, customerSays(t, 'It still has not arrived.'));
      const waiting = await get(t.id);
      expect(waiting.nextResponseDueAt).not.toBeNull();
      const dueIn = (Date.parse(waiting.nextResponseDueAt) - Date.parse(reply.createdAt)) / 1000;
      expect(Math.abs(dueIn - REGULAR_NORMAL_NEXT_RESPONSE_SECONDS)).toBeLessThan(2);

      await posted(t.id, agentSays('Sorry, resending now.'));
      expect((await get(t.id)).nextResponseDueAt).toBeNull();
    });

    it.each(['solved', 'pending', 'on_hold'])('a public customer reply reopens a %s ticket', async (status) => {
      const t = await create();
      await posted(t.id, agentSays('Done.'));
      const before = await setStatus(t.id, status);
      expect(before.status).toBe(status);
      await posted(t.id, customerSays(t, 'Actually, one more thing.'));
      const after = await get(t.id);
      expect(after.status).toBe('open');
      expect(after.solvedAt).toBeNull();
      expect(await events(t.id, 'status_changed')).toContainEqual(expect.objectContaining({ from: status, to: 'open' }));
    });

    it('an internal note does not reopen a pending ticket', async () => {
      const t = await create();
      await setStatus(t.id, 'pending');
      await posted(t.id, agentSays('Still waiting on you.', { public: false }));
      expect((await get(t.id)).status).toBe('pending');
    });

    it('a customer reply to a closed ticket opens a linked follow-up ticket for the same customer', async () => {
      const t = await create({ tags: ['blender'] });
      await setStatus(t.id, 'solved', 'closed');
      const c = await posted(t.id, customerSays(t, 'The new jug is cracked too!'));
      expect(c.ticketId).not.toBe(t.id);
      expect(c.ticketId).toMatch(UUID);

      const followUp = await get(c.ticketId);
      expect(followUp).toMatchObject({ followUpOf: t.id, status: 'new', customer: t.customer });
      expect(followUp.number).toBeGreaterThan(t.number);
      const thread = await system.api.get(`/v1/tickets/${followUp.id}/comments`).set(system.admin()).expect(200);
      expect(thread.body.data.map((x: Json) => x.id)).toContain(c.id);

      // The original stays closed and untouched.
      const original = await get(t.id);
      expect(original.status).toBe('closed');
      const originalThread = await system.api.get(`/v1/tickets/${t.id}/comments`).set(system.admin()).expect(200);
      expect(originalThread.body.data.map((x: Json) => x.id)).not.toContain(c.id);
      expect((await events(followUp.id))[0]!.type).toBe('created');
    });

    it('refuses an agent comment on a closed ticket with 409 ticket-closed', async () => {
      const t = await create();
      await setStatus(t.id, 'solved', 'closed');
      const res = await comment(t.id, agentSays('Reopening this'));
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('ticket-closed');
      const thread = await system.api.get(`/v1/tickets/${t.id}/comments`).set(system.admin()).expect(200);
      expect(thread.body.data).toEqual([]);
    });

    it('refuses an unknown agent (422 author.id) and an internal note by a customer (422 public)', async () => {
      const t = await create();
      const unknown = await comment(t.id, { body: 'Hi', author: { type: 'agent', id: 'agent_ghost' } });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors[0].field).toBe('author.id');
      const note = await comment(t.id, customerSays(t, 'secret', { public: false }));
      expect(note.status).toBe(422);
      expect(note.body.errors[0].field).toBe('public');
      const thread = await system.api.get(`/v1/tickets/${t.id}/comments`).set(system.admin()).expect(200);
      expect(thread.body.data).toEqual([]);
      expect((await get(t.id)).status).toBe('new');
    });

    it('validates comment bodies with 400 naming nested fields', async () => {
      const t = await create();
      const res = await comment(t.id, {
        body: '',
        public: 'yes',
        author: { type: 'robot', email: 'nope' },
        attachments: [{ name: 'a.png', contentType: 'image/png', size: -1, contentRef: 'x' }],
      });
      expect(res.status).toBe(400);
      const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
      expect(fields).toEqual(['attachments.0.size', 'author.email', 'author.type', 'body', 'public']);
      const noAuthor = await comment(t.id, { body: 'Hi' });
      expect(noAuthor.status).toBe(400);
      expect(noAuthor.body.errors.map((e: Json) => e.field)).toContain('author');
    });

    it('answers 404 for comments on an unknown ticket', async () => {
      const res = await comment('3d6f0a9e-1b7c-4a8e-9d2f-5c4b3a291807', agentSays('Hello?'));
      expect(res.status).toBe(404);
      expect((await system.api.get('/v1/tickets/3d6f0a9e-1b7c-4a8e-9d2f-5c4b3a291807/comments').set(system.admin())).status).toBe(404);
      expect((await system.api.get('/v1/tickets/3d6f0a9e-1b7c-4a8e-9d2f-5c4b3a291807/events').set(system.admin())).status).toBe(404);
    });

    it('lists the thread oldest first, in pages, by id or number', async () => {
      const t = await create();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await posted(t.id, i % 2 ? customerSays(t, `Message ${i}`) : agentSays(`Message ${i}`))).id);
      const all = await system.api.get(`/v1/tickets/${t.number}/comments`).set(system.admin()).expect(200);
      expect(all.body.data.map((c: Json) => c.id)).toEqual(ids);
      expect(all.body.data.map((c: Json) => c.body)).toEqual(['Message 0', 'Message 1', 'Message 2', 'Message 3', 'Message 4']);
      expect(all.body.data.every((c: Json) => c.ticketId === t.id)).toBe(true);

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await system.api.get(`/v1/tickets/${t.id}/comments`).query(cursor ? { limit: 2, cursor } : { limit: 2 }).set(system.admin()).expect(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        paged.push(...res.body.data.map((c: Json) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(ids);
    });
  });

  describe('the audit trail', () => {
    it('starts with created and lists every change oldest first, in pages', async () => {
      const t = await create();
      await posted(t.id, agentSays('Looking.'));
      await system.api.patch(`/v1/tickets/${t.id}`).set(system.admin()).send({ tags: ['x'] }).expect(200);
      await setStatus(t.id, 'pending', 'solved');

      const all = await events(t.id);
      const types = all.map((e) => e.type);
      expect(types[0]).toBe('created');
      // The agent's reply adds the comment and opens the ticket (in either order), then the PATCHes follow.
      expect(types.slice(1, 3).sort()).toEqual(['comment_added', 'status_changed']);
      expect(types.slice(3)).toEqual(['tags_changed', 'status_changed', 'status_changed']);
      expect(all.filter((e) => e.type === 'status_changed').map((e) => [e.from, e.to])).toEqual([
        ['new', 'open'],
        ['open', 'pending'],
        ['pending', 'solved'],
      ]);
      for (const e of all) {
        expect(e.id).toMatch(UUID);
        expect(e).toHaveProperty('field');
        expect(e).toHaveProperty('from');
        expect(e).toHaveProperty('to');
        expect(e.actor).toEqual({ type: expect.any(String), id: e.actor.id ?? null });
        expect(typeof e.data).toBe('object');
      }
      expect(all[0]!.actor.type).toBe('api_key');
      const times = all.map((e) => Date.parse(e.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await system.api.get(`/v1/tickets/${t.id}/events`).query(cursor ? { limit: 4, cursor } : { limit: 4 }).set(system.admin()).expect(200);
        paged.push(...res.body.data.map((e: Json) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all.map((e) => e.id));
    });
  });

  describe('groups', () => {
    it('creates a group with lowercased addresses, reads it back and lists it', async () => {
      const res = await system.api.post('/v1/groups').set(system.admin()).send({ key: 'returns', name: 'Returns & refunds', inboundAddresses: ['Returns@Shop.TEST'] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ key: 'returns', name: 'Returns & refunds', inboundAddresses: ['returns@shop.test'] });
      expect(res.body.createdAt).toEqual(expect.any(String));
      expect(res.body.updatedAt).toEqual(expect.any(String));

      const got = await system.api.get('/v1/groups/returns').set(system.admin()).expect(200);
      expect(got.body).toEqual(res.body);
      const list = await system.api.get('/v1/groups').set(system.admin()).expect(200);
      expect(list.body.data).toContainEqual(res.body);
      expect(list.body).toHaveProperty('nextCursor');

      const none = await system.api.post('/v1/groups').set(system.admin()).send({ key: 'no-mail', name: 'No mail' });
      expect(none.status).toBe(201);
      expect(none.body.inboundAddresses).toEqual([]);
    });

    it('refuses a duplicate key and an address another group already uses (409)', async () => {
      await system.api.post('/v1/groups').set(system.admin()).send({ key: 'billing', name: 'Billing', inboundAddresses: ['billing@shop.test'] }).expect(201);
      const dup = await system.api.post('/v1/groups').set(system.admin()).send({ key: 'billing', name: 'Billing again' });
      expect(dup.status).toBe(409);
      expect(dup.headers['content-type']).toContain('application/problem+json');
      expect((await system.api.get('/v1/groups/billing').set(system.admin()).expect(200)).body.name).toBe('Billing');

      const taken = await system.api.post('/v1/groups').set(system.admin()).send({ key: 'billing-2', name: 'Billing 2', inboundAddresses: ['BILLING@shop.test'] });
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('address-taken');
      expect((await system.api.get('/v1/groups/billing-2').set(system.admin())).status).toBe(404);
    });

    it('changes a group\'s name and addresses; addresses move only once released', async () => {
      await system.api.post('/v1/groups').set(system.admin()).send({ key: 'sales', name: 'Sales', inboundAddresses: ['sales@shop.test'] }).expect(201);
      const created = await system.api.post('/v1/groups').set(system.admin()).send({ key: 'orders', name: 'Orders', inboundAddresses: ['orders@shop.test'] }).expect(201);

      const grab = await system.api.patch('/v1/groups/orders').set(system.admin()).send({ inboundAddresses: ['orders@shop.test', 'Sales@Shop.test'] });
      expect(grab.status).toBe(409);
      expect(grab.body.code).toBe('address-taken');
      expect((await system.api.get('/v1/groups/orders').set(system.admin()).expect(200)).body.inboundAddresses).toEqual(['orders@shop.test']);

      await sleep(10);
      const renamed = await system.api.patch('/v1/groups/orders').set(system.admin()).send({ name: 'Order desk', inboundAddresses: ['orders@shop.test', 'Desk@Shop.test'] });
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
      expect(renamed.body).toMatchObject({ key: 'orders', name: 'Order desk' });
      expect([...renamed.body.inboundAddresses].sort()).toEqual(['desk@shop.test', 'orders@shop.test']);
      expect(renamed.body.createdAt).toBe(created.body.createdAt);
      expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThan(Date.parse(created.body.updatedAt));

      // Sales lets its address go; then Orders may take it.
      await system.api.patch('/v1/groups/sales').set(system.admin()).send({ inboundAddresses: [] }).expect(200);
      const moved = await system.api.patch('/v1/groups/orders').set(system.admin()).send({ inboundAddresses: ['sales@shop.test'] });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(moved.body.inboundAddresses).toEqual(['sales@shop.test']);
      expect((await system.api.get('/v1/groups/sales').set(system.admin()).expect(200)).body.inboundAddresses).toEqual([]);
    });

    it('answers 404 for an unknown group and 400 for bad input', async () => {
      expect((await system.api.get('/v1/groups/ghosts').set(system.admin())).status).toBe(404);
      expect((await system.api.patch('/v1/groups/ghosts').set(system.admin()).send({ name: 'x' })).status).toBe(404);
      const bad = await system.api.post('/v1/groups').set(system.admin()).send({ key: 'Bad Key', name: '', inboundAddresses: ['not-an-address'] });
      expect(bad.status).toBe(400);
      expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['inboundAddresses', 'key', 'name']);
      expect((await system.api.get('/v1/groups/Bad%20Key').set(system.admin())).status).toBe(400);
    });

    it('a ticket can be filed under a group by its key', async () => {
      await system.api.post('/v1/groups').set(system.admin()).send({ key: 'vip-desk', name: 'VIP desk' }).expect(201);
      const t = await create({ group: 'vip-desk' });
      expect(t.group).toBe('vip-desk');
    });
  });

  describe('agents', () => {
    it('creates or replaces an agent with PUT, and reads it back', async () => {
      const created = await system.api.put('/v1/agents/agent_lan').set(system.admin()).send({ email: 'lan@shop.test', name: 'Lan' });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body).toMatchObject({ id: 'agent_lan', email: 'lan@shop.test', name: 'Lan', active: true });

      await sleep(10);
      const replaced = await system.api.put('/v1/agents/agent_lan').set(system.admin()).send({ email: 'lan.nguyen@shop.test', active: false });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ id: 'agent_lan', email: 'lan.nguyen@shop.test', active: false });
      expect(replaced.body.createdAt).toBe(created.body.createdAt);
      expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThan(Date.parse(created.body.updatedAt));

      const got = await system.api.get('/v1/agents/agent_lan').set(system.admin()).expect(200);
      expect(got.body).toEqual(replaced.body);
      const list = await system.api.get('/v1/agents').set(system.admin()).expect(200);
      expect(list.body.data.map((a: Json) => a.id)).toEqual(expect.arrayContaining(['agent_7', 'agent_lan']));

      // An inactive agent cannot be given tickets.
      const assign = await system.api.post('/v1/tickets').set(system.admin()).send({
        subject: 'x', description: 'y', customer: { email: 'someone@example.com' }, channel: 'web', assignee: 'agent_lan',
      });
      expect(assign.status).toBe(422);
      expect(assign.body.errors[0].field).toBe('assignee');
    });

    it('answers 404 for an unknown agent and 400 for bad input', async () => {
      expect((await system.api.get('/v1/agents/agent_nobody').set(system.admin())).status).toBe(404);
      const bad = await system.api.put('/v1/agents/agent_bad').set(system.admin()).send({ email: 'nope', active: 'maybe' });
      expect(bad.status).toBe(400);
      expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['active', 'email']);
      expect((await system.api.put(`/v1/agents/${encodeURIComponent('bad id!')}`).set(system.admin()).send({ email: 'a@shop.test' })).status).toBe(400);
    });

    it('lets a read-only key read agents and groups but not change them', async () => {
      const key = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'reader', scopes: ['tickets:read'] }).expect(201);
      const reader = { authorization: `Bearer ${key.body.key}` };
      expect((await system.api.get('/v1/agents').set(reader)).status).toBe(200);
      expect((await system.api.get('/v1/groups').set(reader)).status).toBe(200);
      expect((await system.api.put('/v1/agents/agent_x').set(reader).send({ email: 'x@shop.test' })).status).toBe(403);
      expect((await system.api.post('/v1/groups').set(reader).send({ key: 'x', name: 'x' })).status).toBe(403);
      expect((await system.api.patch('/v1/groups/returns').set(reader).send({ name: 'x' })).status).toBe(403);
      const t = await create();
      expect((await system.api.post(`/v1/tickets/${t.id}/comments`).set(reader).send(agentSays('x'))).status).toBe(403);
    });
  });
});
