import { eventually, useStack } from '@careflow/testing';
import { beforeAll, describe, expect, it } from 'vitest';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SEGMENTS = ['vip', 'regular', 'online', 'walk_in'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const HOUR = 3600;
/** Warnings come this many seconds before a due time in this stack. */
const WARNING_LEAD_SECONDS = 2;
const AUTO_CLOSE_AFTER_SECONDS = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (iso: string) => Date.parse(iso);

describe('tickets: priorities, SLA targets, breaches, warnings and auto-close', () => {
  const system = useStack({
    services: ['tickets', 'segmentation'],
    env: {
      RATE_LIMIT_PER_MINUTE: '0',
      SLA_WARNING_LEAD_SECONDS: String(WARNING_LEAD_SECONDS),
      AUTO_CLOSE_AFTER_SECONDS: String(AUTO_CLOSE_AFTER_SECONDS),
    },
  });
  let seq = 0;
  const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${++seq}`;

  beforeAll(async () => {
    await system.api.put('/v1/agents/agent_sla').set(system.admin()).send({ email: 'agent_sla@shop.test', name: 'Minh' }).expect(200);
  });

  /** A customer in the tickets service's projection, with the given segment (null: none). */
  async function customer(segment: string | null): Promise<{ externalId: string; email: string }> {
    const externalId = unique('cus');
    const email = `${externalId}@example.com`;
    await system.stack.db.pool.query(
      `INSERT INTO tickets.customers (external_id, email, tags, version, updated_at, segment, segments)
       VALUES ($1, $2, '{}', 1, now(), $3, $4)`,
      [externalId, email, segment, segment ? [segment] : []],
    );
    return { externalId, email };
  }

  /** A customer the tickets service has never heard of. */
  function stranger(): { externalId: string; email: string } {
    const externalId = unique('new');
    return { externalId, email: `${externalId}@example.com` };
  }

  async function create(cust: { externalId?: string; email: string }, overrides: Json = {}): Promise<Json> {
    const res = await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Parcel stuck', description: 'No movement for days.', customer: cust, channel: 'email', ...overrides });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function get(id: string): Promise<Json> {
    const res = await system.api.get(`/v1/tickets/${id}`).set(system.admin());
    expect(res.status).toBe(200);
    return res.body;
  }

  async function events(id: string, type?: string): Promise<Json[]> {
    const res = await system.api.get(`/v1/tickets/${id}/events`).query({ limit: 200 }).set(system.admin());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.data as Json[]).filter((e) => !type || e.type === type);
  }

  async function setPolicies(policies: Json[]): Promise<Json[]> {
    const res = await system.api.put('/v1/sla-policies').set(system.admin()).send({ policies });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  }

  async function comment(id: string, body: Json): Promise<Json> {
    const res = await system.api.post(`/v1/tickets/${id}/comments`).set(system.admin()).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  const seconds = (from: string, to: string) => (ms(to) - ms(from)) / 1000;
  /** Due times are createdAt + the policy's seconds (1 ms of slack for timestamp rounding). */
  function expectDue(t: Json, firstResponseSeconds: number, resolutionSeconds: number) {
    expect(Math.abs(seconds(t.createdAt, t.firstResponseDueAt) - firstResponseSeconds)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(seconds(t.createdAt, t.resolutionDueAt) - resolutionSeconds)).toBeLessThanOrEqual(0.001);
  }

  // Runs first: the policies are still the defaults.
  describe('default targets by segment and priority', () => {
    it('lists 16 policies, one per segment × priority, with the documented defaults', async () => {
      const res = await system.api.get('/v1/sla-policies').set(system.admin());
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      const data = res.body.data as Json[];
      expect(data).toHaveLength(16);
      const pairs = data.map((p) => `${p.segment}/${p.priority}`).sort();
      expect(pairs).toEqual(SEGMENTS.flatMap((s) => PRIORITIES.map((p) => `${s}/${p}`)).sort());
      const find = (segment: string, priority: string) => data.find((p) => p.segment === segment && p.priority === priority);
      expect(find('vip', 'urgent')).toMatchObject({ firstResponseSeconds: 900, resolutionSeconds: 4 * HOUR });
      expect(find('regular', 'normal')).toMatchObject({ firstResponseSeconds: 4 * HOUR, resolutionSeconds: 48 * HOUR });
      expect(find('walk_in', 'low')).toMatchObject({ firstResponseSeconds: 24 * HOUR });
      for (const p of data) {
        for (const field of ['firstResponseSeconds', 'nextResponseSeconds', 'resolutionSeconds']) expect(Number.isInteger(p[field]), field).toBe(true);
      }
    });

    it('sets due times from createdAt with the policy of the ticket\'s segment and priority', async () => {
      const vip = await create(await customer('vip'), { priority: 'urgent' });
      expect(vip).toMatchObject({ segment: 'vip', priority: 'urgent' });
      expectDue(vip, 900, 4 * HOUR);

      const regular = await create(stranger());
      expect(regular).toMatchObject({ segment: null, priority: 'normal' });
      expectDue(regular, 4 * HOUR, 48 * HOUR);

      const walkIn = await create(await customer('walk_in'), { priority: 'low' });
      expect(walkIn).toMatchObject({ segment: 'walk_in', priority: 'low' });
      expect(seconds(walkIn.createdAt, walkIn.firstResponseDueAt)).toBeCloseTo(24 * HOUR, 2);

      // A projected customer with no segment gets the regular policies too.
      const unsegmented = await create(await customer(null));
      expect(unsegmented).toMatchObject({ segment: null, priority: 'normal' });
      expectDue(unsegmented, 4 * HOUR, 48 * HOUR);
    });
  });

  describe('priority derivation when none is given', () => {
    it('derives priority from the ticket type and the customer\'s segment', async () => {
      const vip = await customer('vip');
      const regular = await customer('regular');
      const cases: Array<[string, { externalId: string; email: string }, string, string | null, string]> = [
        ['a question from an unknown customer', stranger(), 'question', null, 'normal'],
        ['a shipment exception from an unknown customer', stranger(), 'shipment_exception', null, 'high'],
        ['an incident from a regular customer', regular, 'incident', 'regular', 'normal'],
        ['a shipment exception from a regular customer', regular, 'shipment_exception', 'regular', 'high'],
        ['a question from a VIP', vip, 'question', 'vip', 'high'],
        ['a task from a VIP', vip, 'task', 'vip', 'high'],
        ['a shipment exception from a VIP', vip, 'shipment_exception', 'vip', 'urgent'],
      ];
      for (const [story, cust, type, segment, priority] of cases) {
        const t = await create(cust, { type });
        expect({ segment: t.segment, priority: t.priority }, story).toEqual({ segment, priority });
      }
    });

    it('keeps a priority that is given, whatever the segment', async () => {
      const vip = await customer('vip');
      expect((await create(vip, { priority: 'low' })).priority).toBe('low');
      expect((await create(vip, { type: 'shipment_exception', priority: 'normal' })).priority).toBe('normal');
      expect((await create(stranger(), { priority: 'urgent' })).priority).toBe('urgent');
    });
  });

  describe('SLA policies', () => {
    it('validates a replacement naming each bad field, and changes nothing', async () => {
      const before = (await system.api.get('/v1/sla-policies').set(system.admin()).expect(200)).body.data;
      const bad = await system.api.put('/v1/sla-policies').set(system.admin()).send({
        policies: [
          { segment: 'vip', priority: 'urgent', firstResponseSeconds: 0, nextResponseSeconds: 60, resolutionSeconds: 60 },
          { segment: 'gold', priority: 'normal', firstResponseSeconds: 60, nextResponseSeconds: 60, resolutionSeconds: 60 },
          { segment: 'regular', priority: 'asap', firstResponseSeconds: 60, nextResponseSeconds: 1.5, resolutionSeconds: 60 },
        ],
      });
      expect(bad.status).toBe(400);
      const fields = (bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
      expect(fields).toEqual(['policies.0.firstResponseSeconds', 'policies.1.segment', 'policies.2.nextResponseSeconds', 'policies.2.priority']);

      const empty = await system.api.put('/v1/sla-policies').set(system.admin()).send({ policies: [] });
      expect(empty.status).toBe(400);
      expect(empty.body.errors[0].field).toBe('policies');

      const missing = await system.api.put('/v1/sla-policies').set(system.admin()).send({ policies: [{ segment: 'vip', priority: 'low' }] });
      expect(missing.status).toBe(400);
      expect((missing.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
        'policies.0.firstResponseSeconds',
        'policies.0.nextResponseSeconds',
        'policies.0.resolutionSeconds',
      ]);

      expect((await system.api.get('/v1/sla-policies').set(system.admin()).expect(200)).body.data).toEqual(before);
    });

    it('changes only the listed pairs and answers with all 16', async () => {
      const before = (await system.api.get('/v1/sla-policies').set(system.admin()).expect(200)).body.data as Json[];
      const changed = { segment: 'online', priority: 'low', firstResponseSeconds: 1234, nextResponseSeconds: 2345, resolutionSeconds: 34567 };
      const data = await setPolicies([changed]);
      expect(data).toHaveLength(16);
      expect(data).toContainEqual(expect.objectContaining(changed));
      const key = (p: Json) => `${p.segment}/${p.priority}`;
      const others = (list: Json[]) => list.filter((p) => key(p) !== 'online/low').sort((a, b) => key(a).localeCompare(key(b)));
      expect(others(data)).toEqual(others(before));
      const listed = (await system.api.get('/v1/sla-policies').set(system.admin()).expect(200)).body.data;
      expect(listed).toContainEqual(expect.objectContaining(changed));

      // New tickets use the new policy.
      const t = await create(await customer('online'), { priority: 'low' });
      expectDue(t, 1234, 34567);
    });
  });

  describe('breaches', () => {
    it('emits sla_breached within a second after the first-response due time of an unanswered VIP ticket', async () => {
      await setPolicies([{ segment: 'vip', priority: 'urgent', firstResponseSeconds: 2, nextResponseSeconds: 2, resolutionSeconds: 24 * HOUR }]);
      const t = await create(await customer('vip'), { type: 'shipment_exception' });
      expect(t.priority).toBe('urgent');
      expectDue(t, 2, 24 * HOUR);
      expect(t.slaBreaches).toEqual([]);

      const [breach] = await eventually(async () => {
        const found = await events(t.id, 'sla_breached');
        expect(found).toHaveLength(1);
        return found;
      }, 8_000, 50);
      const late = ms(breach!.createdAt) - ms(t.firstResponseDueAt);
      expect(late, 'breach recorded before its due time').toBeGreaterThanOrEqual(0);
      expect(late, 'breach recorded more than 1 s after its due time').toBeLessThanOrEqual(1_000);
      expect(breach!.data.metric).toBe('first_response');
      expect(ms(breach!.data.dueAt)).toBe(ms(t.firstResponseDueAt));

      // Announced in the same transaction; checked at once, before the relay's confirmation removes it.
      const outbox = await system.stack.db.pool.query(
        `SELECT payload FROM tickets.outbox WHERE event = 'ticket.sla_breached' AND payload->'ticket'->>'id' = $1`,
        [t.id],
      );
      expect(outbox.rows.map((r) => r.payload.metric)).toEqual(['first_response']);

      const after = await get(t.id);
      expect(after.slaBreaches).toEqual(['first_response']);
      // Once, not again.
      await sleep(500);
      expect(await events(t.id, 'sla_breached')).toHaveLength(1);
    });

    it('does not breach a ticket answered by a public agent comment in time, but an internal note does not count', async () => {
      // vip/urgent first response is 2 s (previous test).
      const answered = await create(await customer('vip'), { type: 'shipment_exception' });
      const noted = await create(await customer('vip'), { type: 'shipment_exception' });
      expect([answered.priority, noted.priority]).toEqual(['urgent', 'urgent']);

      await comment(answered.id, { body: 'We are on it.', public: true, author: { type: 'agent', id: 'agent_sla' } });
      await comment(noted.id, { body: 'Asked the carrier, waiting.', public: false, author: { type: 'agent', id: 'agent_sla' } });

      const answeredNow = await get(answered.id);
      expect(answeredNow.firstRespondedAt).not.toBeNull();
      expect(ms(answeredNow.firstRespondedAt)).toBeLessThan(ms(answered.firstResponseDueAt));
      expect((await get(noted.id)).firstRespondedAt).toBeNull();

      const breach = await eventually(async () => {
        const found = await events(noted.id, 'sla_breached');
        expect(found).toHaveLength(1);
        return found[0]!;
      }, 8_000, 50);
      expect(breach.data.metric).toBe('first_response');
      expect(ms(breach.createdAt) - ms(noted.firstResponseDueAt)).toBeGreaterThanOrEqual(0);
      expect(ms(breach.createdAt) - ms(noted.firstResponseDueAt)).toBeLessThanOrEqual(1_000);
      expect((await get(noted.id)).slaBreaches).toEqual(['first_response']);

      // Both were due at about the same moment: wait past the answered one's due time.
      await sleep(Math.max(0, ms(answered.firstResponseDueAt) + 1_500 - Date.now()));
      expect(await events(answered.id, 'sla_breached')).toEqual([]);
      expect((await get(answered.id)).slaBreaches).toEqual([]);
    });

    it('reschedules on a priority change: a longer target does not fire at the old time, a shorter one fires at the new time', async () => {
      await setPolicies([
        { segment: 'regular', priority: 'normal', firstResponseSeconds: 3, nextResponseSeconds: 3, resolutionSeconds: 24 * HOUR },
        { segment: 'regular', priority: 'urgent', firstResponseSeconds: 3, nextResponseSeconds: 3, resolutionSeconds: 24 * HOUR },
      ]);
      const regularHigh = (await system.api.get('/v1/sla-policies').set(system.admin()).expect(200)).body.data.find(
        (p: Json) => p.segment === 'regular' && p.priority === 'high',
      );

      // Due in 3 s, then raised to high whose target is an hour.
      const relaxed = await create(await customer('regular'));
      expect(relaxed.priority).toBe('normal');
      expectDue(relaxed, 3, 24 * HOUR);
      // Due in hours, then made urgent whose target is 3 s from creation.
      const tightened = await create(await customer('regular'), { priority: 'low' });
      expect(seconds(tightened.createdAt, tightened.firstResponseDueAt)).toBeGreaterThan(HOUR);

      const r1 = await system.api.patch(`/v1/tickets/${relaxed.id}`).set(system.admin()).send({ priority: 'high' });
      expect(r1.status, JSON.stringify(r1.body)).toBe(200);
      expectDue(r1.body, regularHigh.firstResponseSeconds, regularHigh.resolutionSeconds);
      const r2 = await system.api.patch(`/v1/tickets/${tightened.id}`).set(system.admin()).send({ priority: 'urgent' });
      expect(r2.status, JSON.stringify(r2.body)).toBe(200);
      expectDue(r2.body, 3, 24 * HOUR);

      expect(await events(relaxed.id, 'sla_changed')).toHaveLength(1);
      expect(await events(tightened.id, 'sla_changed')).toHaveLength(1);

      const breach = await eventually(async () => {
        const found = await events(tightened.id, 'sla_breached');
        expect(found).toHaveLength(1);
        return found[0]!;
      }, 8_000, 50);
      expect(breach.data.metric).toBe('first_response');
      const late = ms(breach.createdAt) - ms(r2.body.firstResponseDueAt);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThanOrEqual(1_000);

      await sleep(Math.max(0, ms(relaxed.firstResponseDueAt) + 1_500 - Date.now()));
      expect(await events(relaxed.id, 'sla_breached')).toEqual([]);
      expect((await get(relaxed.id)).slaBreaches).toEqual([]);
    });

    it('keeps a satisfied first response when the priority changes', async () => {
      const t = await create(await customer('walk_in'), { priority: 'low' });
      await comment(t.id, { body: 'Hello, looking into it.', author: { type: 'agent', id: 'agent_sla' } });
      const answered = await get(t.id);
      const res = await system.api.patch(`/v1/tickets/${t.id}`).set(system.admin()).send({ priority: 'urgent' });
      expect(res.status).toBe(200);
      // First response is already satisfied: its due time stays; resolution moves to the new policy.
      expect(res.body.firstResponseDueAt).toBe(answered.firstResponseDueAt);
      expect(res.body.firstRespondedAt).toBe(answered.firstRespondedAt);
      expect(res.body.resolutionDueAt).not.toBe(answered.resolutionDueAt);
    });
  });

  describe('warnings', () => {
    it(`warns ${WARNING_LEAD_SECONDS} s before the due time, then breaches at it`, async () => {
      await setPolicies([
        { segment: 'online', priority: 'high', firstResponseSeconds: 4, nextResponseSeconds: 4, resolutionSeconds: 24 * HOUR },
        { segment: 'online', priority: 'urgent', firstResponseSeconds: 1, nextResponseSeconds: 1, resolutionSeconds: 24 * HOUR },
      ]);
      const t = await create(await customer('online'), { priority: 'high' });
      // Due in 1 s: the warning moment is already past when the timer is scheduled.
      const tooLate = await create(await customer('online'), { priority: 'urgent' });

      const warning = await eventually(async () => {
        const found = await events(t.id, 'sla_warning');
        expect(found).toHaveLength(1);
        return found[0]!;
      }, 8_000, 50);
      expect(warning.data.metric).toBe('first_response');
      expect(ms(warning.data.dueAt)).toBe(ms(t.firstResponseDueAt));
      const warnAt = ms(t.firstResponseDueAt) - WARNING_LEAD_SECONDS * 1000;
      expect(ms(warning.createdAt) - warnAt).toBeGreaterThanOrEqual(0);
      expect(ms(warning.createdAt) - warnAt).toBeLessThanOrEqual(1_000);
      expect(await events(t.id, 'sla_breached')).toEqual([]);

      const breach = await eventually(async () => {
        const found = await events(t.id, 'sla_breached');
        expect(found).toHaveLength(1);
        return found[0]!;
      }, 8_000, 50);
      expect(ms(breach.createdAt)).toBeGreaterThanOrEqual(ms(t.firstResponseDueAt));
      const sequence = (await events(t.id)).map((e) => e.type).filter((type) => type.startsWith('sla_'));
      expect(sequence).toEqual(['sla_warning', 'sla_breached']);

      // The other one breached long ago and was never warned.
      expect(await events(tooLate.id, 'sla_breached')).toHaveLength(1);
      expect(await events(tooLate.id, 'sla_warning')).toEqual([]);
    });
  });

  describe('auto-close', () => {
    it(`closes a solved ticket after ${AUTO_CLOSE_AFTER_SECONDS} s, as the system`, async () => {
      const t = await create(stranger());
      const solved = (await system.api.patch(`/v1/tickets/${t.id}`).set(system.admin()).send({ status: 'solved' }).expect(200)).body;
      expect(solved.solvedAt).not.toBeNull();

      const closed = await eventually(async () => {
        const now = await get(t.id);
        expect(now.status).toBe('closed');
        return now;
      }, 8_000, 100);
      const quiet = ms(closed.closedAt) - ms(solved.solvedAt);
      expect(quiet).toBeGreaterThanOrEqual(AUTO_CLOSE_AFTER_SECONDS * 1000 - 50);
      expect(quiet).toBeLessThanOrEqual(AUTO_CLOSE_AFTER_SECONDS * 1000 + 2_000);

      const change = (await events(t.id, 'status_changed')).at(-1);
      expect(change).toMatchObject({ field: 'status', from: 'solved', to: 'closed' });
      expect(change!.actor.type).toBe('system');
    });

    it('does not close a ticket that was reopened before its quiet period ended', async () => {
      const t = await create(stranger());
      await system.api.patch(`/v1/tickets/${t.id}`).set(system.admin()).send({ status: 'solved' }).expect(200);
      await sleep(1_000);
      await system.api.patch(`/v1/tickets/${t.id}`).set(system.admin()).send({ status: 'open' }).expect(200);
      await sleep(AUTO_CLOSE_AFTER_SECONDS * 1000 + 1_000);
      const now = await get(t.id);
      expect(now.status).toBe('open');
      expect(now.closedAt).toBeNull();
    });
  });
});
