import { useStack } from '@careflow/testing';
import request from 'supertest';
import { describe, expect, it } from 'vitest';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
type Status = (typeof STATUSES)[number];

/** The status rules of the contract, written out independently of the implementation. */
const ALLOWED: Record<Status, readonly Status[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};
/** Allowed steps that bring a new ticket to each status. */
const PATH_TO: Record<Status, Status[]> = {
  new: [],
  open: ['open'],
  pending: ['pending'],
  on_hold: ['on_hold'],
  solved: ['solved'],
  closed: ['solved', 'closed'],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('tickets lifecycle', () => {
  const system = useStack({ services: ['tickets', 'segmentation'], env: { RATE_LIMIT_PER_MINUTE: '0' } });
  let seq = 0;
  const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${++seq}`;

  function ticketBody(overrides: Json = {}): Json {
    const id = unique('cus');
    return {
      subject: `Where is my order ${id}`,
      description: 'The tracking page has not moved since Monday.',
      customer: { externalId: id, email: `${id}@example.com`, name: 'Lan Nguyen' },
      channel: 'web',
      ...overrides,
    };
  }

  async function create(overrides: Json = {}): Promise<Json> {
    const res = await system.api.post('/v1/tickets').set(system.admin()).send(ticketBody(overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function get(id: string | number): Promise<Json> {
    const res = await system.api.get(`/v1/tickets/${id}`).set(system.admin());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  function patch(id: string, body: Json, headers: Record<string, string> = system.admin()) {
    return system.api.patch(`/v1/tickets/${id}`).set(headers).send(body);
  }

  async function events(id: string): Promise<Json[]> {
    const all: Json[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await system.api.get(`/v1/tickets/${id}/events`).query(cursor ? { limit: 200, cursor } : { limit: 200 }).set(system.admin());
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      all.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    return all;
  }

  async function newKey(scopes: string[]): Promise<{ id: string; key: string }> {
    const res = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'tickets test key', scopes });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function agent(id: string, active = true): Promise<void> {
    await system.api.put(`/v1/agents/${id}`).set(system.admin()).send({ email: `${id}@shop.test`, name: id, active }).expect(200);
  }

  async function group(key: string): Promise<void> {
    await system.api.post('/v1/groups').set(system.admin()).send({ key, name: `Group ${key}` }).expect(201);
  }

  async function ticketCount(): Promise<number> {
    const { rows } = await system.stack.db.pool.query(`SELECT count(*)::int AS n FROM tickets.tickets`);
    return rows[0].n;
  }

  describe('creating a ticket', () => {
    it('opens a new ticket with every field of the contract, numbered from 1000, and announces it', async () => {
      const before = Date.now();
      const body = ticketBody({ tags: ['delivery', 'hanoi'], orderExternalId: 'ord_1042', type: 'incident' });
      const res = await system.api.post('/v1/tickets').set(system.admin()).send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const t = res.body;
      expect(t.id).toMatch(UUID);
      expect(Number.isInteger(t.number)).toBe(true);
      expect(t).toMatchObject({
        subject: body.subject,
        description: body.description,
        status: 'new',
        priority: 'normal',
        type: 'incident',
        channel: 'web',
        segment: null,
        group: null,
        assignee: null,
        tags: ['delivery', 'hanoi'],
        customer: body.customer,
        orderExternalId: 'ord_1042',
        followUpOf: null,
        firstRespondedAt: null,
        nextResponseDueAt: null,
        slaBreaches: [],
        solvedAt: null,
        closedAt: null,
      });
      const createdAt = Date.parse(t.createdAt);
      expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
      expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
      expect(t.updatedAt).toBe(t.createdAt);
      expect(Date.parse(t.firstResponseDueAt)).toBeGreaterThan(createdAt);
      expect(Date.parse(t.resolutionDueAt)).toBeGreaterThan(Date.parse(t.firstResponseDueAt));

      // The sequence starts at 1000 and this is the first ticket of a fresh database.
      const { rows } = await system.stack.db.pool.query(`SELECT min(number)::int AS min FROM tickets.tickets`);
      expect(rows[0].min).toBe(1000);
      expect(t.number).toBe(1000);

      // The change and its event are one transaction: the outbox row exists right after the request.
      const outbox = await system.stack.db.pool.query(`SELECT event FROM tickets.outbox WHERE payload->'ticket'->>'id' = $1`, [t.id]);
      expect(outbox.rows.map((r) => r.event)).toContain('ticket.created');

      const evts = await events(t.id);
      expect(evts[0]).toMatchObject({ type: 'created' });
    });

    it('defaults type to question and answers GET with the same ticket', async () => {
      const t = await create();
      expect(t.type).toBe('question');
      expect(await get(t.id)).toEqual(t);
    });

    it('gives sequential creates increasing numbers', async () => {
      const numbers: number[] = [];
      for (let i = 0; i < 4; i++) numbers.push((await create()).number);
      for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]!);
    });

    it('never gives two concurrent creates the same number', async () => {
      const created = await Promise.all(Array.from({ length: 25 }, () => create()));
      const numbers = created.map((t) => t.number);
      expect(new Set(numbers).size).toBe(25);
      for (const n of numbers) expect(n).toBeGreaterThanOrEqual(1000);
      const { rows } = await system.stack.db.pool.query(`SELECT count(DISTINCT number)::int AS d, count(*)::int AS n FROM tickets.tickets`);
      expect(rows[0].d).toBe(rows[0].n);
    });

    it('names every invalid field with 400, nested dotted, and writes nothing', async () => {
      const before = await ticketCount();
      const res = await system.api
        .post('/v1/tickets')
        .set(system.admin())
        .send({ subject: '', description: 'x', customer: { email: 'not-an-email' }, channel: 'fax', priority: 'asap', type: 'complaint', tags: ['has space'] });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
      expect(fields).toEqual(['channel', 'customer.email', 'priority', 'subject', 'tags', 'type']);
      expect(await ticketCount()).toBe(before);

      const missing = await system.api.post('/v1/tickets').set(system.admin()).send({ subject: 'Hi', description: 'x', channel: 'web' });
      expect(missing.status).toBe(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('customer');

      const unknown = await system.api.post('/v1/tickets').set(system.admin()).send(ticketBody({ status: 'open' }));
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.map((e: { field: string }) => e.field)).toContain('status');
    });

    it('refuses an unknown group and an unknown or inactive assignee with 422, creating nothing', async () => {
      await group('billing');
      await agent('agent_idle', false);
      const before = await ticketCount();

      const badGroup = await system.api.post('/v1/tickets').set(system.admin()).send(ticketBody({ group: 'no-such-group' }));
      expect(badGroup.status).toBe(422);
      expect(badGroup.headers['content-type']).toContain('application/problem+json');
      expect(badGroup.body.errors[0].field).toBe('group');

      const unknownAgent = await system.api.post('/v1/tickets').set(system.admin()).send(ticketBody({ assignee: 'agent_nobody' }));
      expect(unknownAgent.status).toBe(422);
      expect(unknownAgent.body.errors[0].field).toBe('assignee');

      const inactiveAgent = await system.api.post('/v1/tickets').set(system.admin()).send(ticketBody({ assignee: 'agent_idle' }));
      expect(inactiveAgent.status).toBe(422);
      expect(inactiveAgent.body.errors[0].field).toBe('assignee');

      // No agent has an empty id: a 400 naming the field (it once reached the foreign key as a 500).
      const blankAgent = await system.api.post('/v1/tickets').set(system.admin()).send(ticketBody({ assignee: '' }));
      expect(blankAgent.status).toBe(400);
      expect(blankAgent.body.errors[0].field).toBe('assignee');

      expect(await ticketCount()).toBe(before);

      await agent('agent_busy');
      const ok = await create({ group: 'billing', assignee: 'agent_busy' });
      expect(ok).toMatchObject({ group: 'billing', assignee: 'agent_busy' });
    });
  });

  describe('finding a ticket', () => {
    it('finds the same ticket by id and by number', async () => {
      const t = await create();
      const byId = await get(t.id);
      const byNumber = await get(t.number);
      expect(byNumber).toEqual(byId);
      expect(byNumber.id).toBe(t.id);
    });

    it('answers ids that are neither a uuid nor a ticket number with a 400 naming id, as every route of the API does', async () => {
      for (const id of ['abc', '12ab', '-1', '1.5', '0x10', '01000', 'ab%20cd', '99999999999999999999999', `${'1'.repeat(300)}`]) {
        const res = await system.api.get(`/v1/tickets/${id}`).set(system.admin());
        expect(res.status, `${id} → ${res.status} ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.headers['content-type'], id).toContain('application/problem+json');
        expect(res.body.errors.map((e: { field: string }) => e.field), id).toEqual(['id']);
        const p = await system.api.patch(`/v1/tickets/${id}`).set(system.admin()).send({ status: 'open' });
        expect(p.status, `PATCH ${id} → ${p.status}`).toBe(400);
      }
    });

    it('answers an unknown uuid or number with 404', async () => {
      for (const id of ['3d6f0a9e-1b7c-4a8e-9d2f-5c4b3a291807', '999999']) {
        const res = await system.api.get(`/v1/tickets/${id}`).set(system.admin());
        expect(res.status, id).toBe(404);
        expect(res.body.code, id).toBe('not-found');
        expect((await system.api.patch(`/v1/tickets/${id}`).set(system.admin()).send({ status: 'open' })).status, id).toBe(404);
      }
    });
  });

  describe('status machine: every pair of the 6×6 matrix', () => {
    const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as [Status, Status]));

    async function ticketIn(status: Status): Promise<Json> {
      const t = await create();
      for (const step of PATH_TO[status]) {
        const res = await patch(t.id, { status: step });
        expect(res.status, `driving to ${status}: ${step} ${JSON.stringify(res.body)}`).toBe(200);
      }
      const current = await get(t.id);
      expect(current.status).toBe(status);
      return current;
    }

    it.each(pairs)('%s → %s', async (from, to) => {
      const t = await ticketIn(from);
      const eventsBefore = await events(t.id);
      const res = await patch(t.id, { status: to });

      if (from === to) {
        // A no-op: answered with the ticket, nothing recorded, updatedAt unchanged.
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.status).toBe(from);
        expect(res.body.updatedAt).toBe(t.updatedAt);
        expect(await events(t.id)).toHaveLength(eventsBefore.length);
        return;
      }

      if (ALLOWED[from].includes(to)) {
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.status).toBe(to);
        expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(t.updatedAt));
        const added = (await events(t.id)).slice(eventsBefore.length);
        expect(added.filter((e) => e.type === 'status_changed')).toEqual([
          expect.objectContaining({ type: 'status_changed', field: 'status', from, to }),
        ]);
        if (to === 'solved') expect(res.body.solvedAt).not.toBeNull();
        if (from === 'solved' && to === 'open') expect(res.body.solvedAt).toBeNull();
        if (to === 'closed') expect(res.body.closedAt).not.toBeNull();
        else expect(res.body.closedAt).toBeNull();
        expect(await get(t.id)).toEqual(res.body);
        return;
      }

      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('invalid-transition');
      expect(res.body.detail).toContain(from);
      expect(res.body.detail).toContain(to);
      // Nothing changed.
      const after = await get(t.id);
      expect(after.status).toBe(from);
      expect(after.updatedAt).toBe(t.updatedAt);
      expect(await events(t.id)).toHaveLength(eventsBefore.length);
    });
  });

  describe('solvedAt and closedAt', () => {
    it('stamps solvedAt when solved, clears it on reopen, and keeps it once closed', async () => {
      const t = await create();
      expect(t.solvedAt).toBeNull();

      const solved = (await patch(t.id, { status: 'solved' }).expect(200)).body;
      expect(solved.solvedAt).not.toBeNull();
      expect(Math.abs(Date.parse(solved.solvedAt) - Date.now())).toBeLessThan(5_000);
      expect(solved.closedAt).toBeNull();
      const outbox = await system.stack.db.pool.query(`SELECT event FROM tickets.outbox WHERE payload->'ticket'->>'id' = $1`, [t.id]);
      expect(outbox.rows.map((r) => r.event)).toContain('ticket.solved');

      const reopened = (await patch(t.id, { status: 'open' }).expect(200)).body;
      expect(reopened.solvedAt).toBeNull();

      await new Promise((r) => setTimeout(r, 20));
      const solvedAgain = (await patch(t.id, { status: 'solved' }).expect(200)).body;
      expect(Date.parse(solvedAgain.solvedAt)).toBeGreaterThan(Date.parse(solved.solvedAt));

      const closed = (await patch(t.id, { status: 'closed' }).expect(200)).body;
      expect(closed.closedAt).not.toBeNull();
      expect(Date.parse(closed.closedAt)).toBeGreaterThanOrEqual(Date.parse(solvedAgain.solvedAt));
      expect(closed.solvedAt).toBe(solvedAgain.solvedAt);
    });
  });

  describe('changing fields', () => {
    it('records one event per changed field, with the API key as actor', async () => {
      await agent('agent_minh');
      await group('returns');
      const writer = await newKey(['tickets:read', 'tickets:write']);
      const as = { authorization: `Bearer ${writer.key}` };
      const t = await create({ tags: ['delivery'] });

      const res = await patch(t.id, { status: 'open', priority: 'high', type: 'problem', assignee: 'agent_minh', group: 'returns', tags: ['vip', 'refund'] }, as);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: 'open', priority: 'high', type: 'problem', assignee: 'agent_minh', group: 'returns', tags: ['vip', 'refund'] });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(t.updatedAt));

      const changes = (await events(t.id)).filter((e) => e.type.endsWith('_changed') && e.type !== 'sla_changed');
      const byType = Object.fromEntries(changes.map((e) => [e.type, e]));
      expect(changes).toHaveLength(6);
      const actor = { type: 'api_key', id: writer.id };
      expect(byType['status_changed']).toMatchObject({ field: 'status', from: 'new', to: 'open', actor });
      expect(byType['priority_changed']).toMatchObject({ field: 'priority', from: 'normal', to: 'high', actor });
      expect(byType['type_changed']).toMatchObject({ field: 'type', from: 'question', to: 'problem', actor });
      expect(byType['assignee_changed']).toMatchObject({ field: 'assignee', from: null, to: 'agent_minh', actor });
      expect(byType['group_changed']).toMatchObject({ field: 'group', from: null, to: 'returns', actor });
      expect(byType['tags_changed']).toMatchObject({ field: 'tags', from: ['delivery'], to: ['vip', 'refund'], actor });

      const outbox = await system.stack.db.pool.query(`SELECT event FROM tickets.outbox WHERE payload->'ticket'->>'id' = $1`, [t.id]);
      expect(outbox.rows.map((r) => r.event)).toContain('ticket.updated');

      // null clears assignee and group; fields left out stay as they are.
      const cleared = await patch(t.id, { assignee: null, group: null }, as);
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ assignee: null, group: null, priority: 'high', tags: ['vip', 'refund'] });
      const last = (await events(t.id)).slice(-2).map((e) => [e.type, e.from, e.to]).sort();
      expect(last).toEqual([
        ['assignee_changed', 'agent_minh', null],
        ['group_changed', 'returns', null],
      ]);
    });

    it('changes nothing and records nothing for a PATCH with the same values', async () => {
      await agent('agent_same');
      const t = await create({ tags: ['a', 'b'], priority: 'high', assignee: 'agent_same' });
      const eventsBefore = await events(t.id);
      await new Promise((r) => setTimeout(r, 20));
      const res = await patch(t.id, { status: 'new', priority: 'high', type: 'question', tags: ['a', 'b'], assignee: 'agent_same', group: null });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.updatedAt).toBe(t.updatedAt);
      expect(res.body).toEqual(await get(t.id));
      expect(await events(t.id)).toEqual(eventsBefore);
      const empty = await patch(t.id, {});
      expect(empty.status).toBe(200);
      expect(empty.body.updatedAt).toBe(t.updatedAt);
      expect(await events(t.id)).toHaveLength(eventsBefore.length);
    });

    it('attributes changes to the agent named in On-Behalf-Of, and refuses an unknown one with 422', async () => {
      await agent('agent_lan');
      const t = await create();
      const res = await patch(t.id, { priority: 'urgent' }, { ...system.admin(), 'on-behalf-of': 'agent_lan' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const changed = (await events(t.id)).find((e) => e.type === 'priority_changed');
      expect(changed?.actor).toEqual({ type: 'agent', id: 'agent_lan' });

      const unknown = await patch(t.id, { priority: 'low' }, { ...system.admin(), 'on-behalf-of': 'agent_ghost' });
      expect(unknown.status, JSON.stringify(unknown.body)).toBe(422);
      expect(unknown.body.errors[0].field).toBe('On-Behalf-Of');
      expect((await get(t.id)).priority).toBe('urgent');
    });

    it('refuses an unknown group or assignee on PATCH with 422 and leaves the ticket alone', async () => {
      const t = await create();
      const badGroup = await patch(t.id, { group: 'nope-group', priority: 'low' });
      expect(badGroup.status).toBe(422);
      expect(badGroup.body.errors[0].field).toBe('group');
      const badAssignee = await patch(t.id, { assignee: 'agent_nope' });
      expect(badAssignee.status).toBe(422);
      expect(badAssignee.body.errors[0].field).toBe('assignee');
      const after = await get(t.id);
      expect(after).toEqual(t);
    });

    it('validates PATCH bodies with 400 naming the field', async () => {
      const t = await create();
      const res = await patch(t.id, { status: 'archived', priority: 'asap', tags: 'x', subject: 'renamed' });
      expect(res.status).toBe(400);
      expect((res.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['priority', 'status', 'subject', 'tags']);
    });
  });

  describe('through the gateway', () => {
    it('replays a create with the same Idempotency-Key and body, and refuses the key with another body', async () => {
      const body = ticketBody({ subject: `Idempotent ${unique('s')}` });
      const key = unique('idem');
      const first = await system.api.post('/v1/tickets').set(system.admin()).set('idempotency-key', key).send(body);
      expect(first.status).toBe(201);
      const second = await system.api.post('/v1/tickets').set(system.admin()).set('idempotency-key', key).send(body);
      expect(second.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      const { rows } = await system.stack.db.pool.query(`SELECT count(*)::int AS n FROM tickets.tickets WHERE subject = $1`, [body.subject]);
      expect(rows[0].n).toBe(1);

      const other = await system.api.post('/v1/tickets').set(system.admin()).set('idempotency-key', key).send({ ...body, subject: 'Another subject' });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('idempotency-key-reused');
      const again = await system.stack.db.pool.query(`SELECT count(*)::int AS n FROM tickets.tickets WHERE subject = 'Another subject'`);
      expect(again.rows[0].n).toBe(0);
    });

    it('needs tickets:write to create or change, and admin to manage groups, agents and SLA policies', async () => {
      const reader = await newKey(['tickets:read']);
      const asReader = { authorization: `Bearer ${reader.key}` };
      const t = await create();
      expect((await system.api.get(`/v1/tickets/${t.id}`).set(asReader)).status).toBe(200);
      const denied = await system.api.post('/v1/tickets').set(asReader).send(ticketBody());
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('forbidden');
      expect((await patch(t.id, { status: 'open' }, asReader)).status).toBe(403);
      expect((await get(t.id)).status).toBe('new');

      const writer = await newKey(['tickets:read', 'tickets:write']);
      const asWriter = { authorization: `Bearer ${writer.key}` };
      expect((await system.api.post('/v1/groups').set(asWriter).send({ key: 'sneaky', name: 'Sneaky' })).status).toBe(403);
      expect((await system.api.put('/v1/agents/agent_sneaky').set(asWriter).send({ email: 'sneaky@shop.test' })).status).toBe(403);
      const sla = await system.api.put('/v1/sla-policies').set(asWriter).send({
        policies: [{ segment: 'vip', priority: 'urgent', firstResponseSeconds: 1, nextResponseSeconds: 1, resolutionSeconds: 1 }],
      });
      expect(sla.status).toBe(403);
      expect((await system.api.get('/v1/sla-policies').set(asWriter)).status).toBe(200);

      expect((await system.api.get('/v1/tickets').set({ authorization: 'Bearer cf_nope_nope' })).status).toBe(401);
    });
  });
});
