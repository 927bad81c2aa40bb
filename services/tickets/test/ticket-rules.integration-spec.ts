import type { TicketActor } from '@careflow/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CommentsService } from '../src/modules/comments/comments.service.js';
import { ShipmentIncidentsService } from '../src/modules/incidents/shipment-incidents.service.js';
import { SegmentReevaluation } from '../src/modules/segment-reevaluation/segment-reevaluation.service.js';
import { SlaPoliciesService } from '../src/modules/sla/sla-policies.service.js';
import { TicketChanges, type TicketChange, type TicketDraft } from '../src/modules/tickets/ticket-changes.js';
import { TicketTimers } from '../src/modules/tickets/ticket-timers.js';
import { InvalidTransitionError } from '../src/modules/tickets/tickets.exceptions.js';
import { TicketsRepository } from '../src/modules/tickets/tickets.repository.js';
import type { TicketRecord } from '../src/modules/tickets/ticket.record.js';
import { useTicketsApp } from './app.support.js';

const API: TicketActor = { type: 'api_key', id: null };
const AGENT = { type: 'agent' as const, id: null, email: 'minh@shop.test', name: 'Minh' };
const CUSTOMER = { type: 'customer' as const, id: null, email: null, name: null };

/**
 * The tickets' domain rules at the module level: the write path and the features around it,
 * driven directly against a real Postgres (no HTTP, no workers), each rule read back from the
 * row, the audit trail and the outbox events its transaction wrote.
 */
describe('ticket rules', () => {
  const running = useTicketsApp({ WORKERS_ENABLED: 'false', SLA_WARNING_LEAD_SECONDS: '600' });
  let db: DataSource;
  let changes: TicketChanges;
  let tickets: TicketsRepository;
  let comments: CommentsService;

  beforeAll(() => {
    db = running.dataSource;
    changes = running.get(TicketChanges);
    tickets = running.get(TicketsRepository);
    comments = running.get(CommentsService);
  });

  const open = (draft: Partial<TicketDraft> = {}): Promise<TicketRecord> =>
    changes.open(db.manager, { subject: 'Parcel late', description: 'Still not here.', customer: { email: 'lan@example.com' }, channel: 'web', ...draft }, API);

  /** Runs `work` in a transaction on the locked ticket; returns its result and the outbox events that transaction wrote. */
  async function inTransaction<T>(id: string, work: (tx: EntityManager, t: TicketRecord) => Promise<T>): Promise<{ result: T; announced: string[] }> {
    return db.transaction(async (tx) => {
      const result = await work(tx, await tickets.find(id, tx, true));
      const rows: Array<{ event: string }> = await tx.query(
        `SELECT event FROM tickets.outbox WHERE xmin::text::bigint = txid_current() % 4294967296 ORDER BY created_at, event`,
      );
      return { result, announced: rows.map((r) => r.event) };
    });
  }

  const apply = (t: TicketRecord, change: TicketChange, actor = API) => inTransaction(t.id, (tx, locked) => changes.applyChange(tx, locked, change, actor));

  async function trail(id: string): Promise<Array<{ type: string; from: unknown; to: unknown; actor: string; data: Record<string, unknown> }>> {
    const rows: Array<{ type: string; from_value: unknown; to_value: unknown; actor_type: string; data: Record<string, unknown> }> = await db.query(
      `SELECT type, from_value, to_value, actor_type, data FROM tickets.ticket_events WHERE ticket_id = $1 ORDER BY seq`,
      [id],
    );
    return rows.map((r) => ({ type: r.type, from: r.from_value, to: r.to_value, actor: r.actor_type, data: r.data }));
  }

  describe('status changes', () => {
    it('write the row, their audit entry and ticket.updated together; solving also announces ticket.solved', async () => {
      const t = await open();
      const opened = await apply(t, { status: 'open' });
      expect(opened.result.ticket.status).toBe('open');
      expect(opened.announced).toEqual(['ticket.updated']);
      const solved = await apply(t, { status: 'solved' });
      expect(solved.result.ticket.solvedAt).toBeInstanceOf(Date);
      expect(solved.announced.sort()).toEqual(['ticket.solved', 'ticket.updated']);
      expect((await trail(t.id)).map((e) => [e.type, e.from, e.to])).toEqual([
        ['created', null, null],
        ['status_changed', 'new', 'open'],
        ['status_changed', 'open', 'solved'],
      ]);
    });

    it('refuse a transition the rules do not allow, and write nothing', async () => {
      const t = await open();
      await expect(apply(t, { status: 'closed' })).rejects.toBeInstanceOf(InvalidTransitionError);
      expect(await trail(t.id)).toHaveLength(1);
      expect((await tickets.find(t.id)).status).toBe('new');
    });

    it('record nothing for a change that changes nothing', async () => {
      const t = await open({ tags: ['late'] });
      const same = await apply(t, { status: 'new', tags: ['late'], priority: t.priority });
      expect(same.result.changed).toBe(false);
      expect(same.announced).toEqual([]);
      expect((await tickets.find(t.id)).updatedAt).toEqual(t.updatedAt);
    });
  });

  describe('replies', () => {
    it('a public agent reply is the first response; a customer reply to a solved ticket reopens it and starts the next-response clock', async () => {
      const t = await open();
      await comments.add(t.id, { body: 'On its way.', public: true, author: AGENT, attachments: [] }, API);
      const answered = await tickets.find(t.id);
      expect(answered).toMatchObject({ status: 'open', nextResponseDueAt: null });
      expect(answered.firstRespondedAt).toBeInstanceOf(Date);
      await apply(t, { status: 'solved' });

      await comments.add(t.id, { body: 'Still nothing.', public: true, author: CUSTOMER, attachments: [] }, { type: 'customer', id: null });
      const reopened = await tickets.find(t.id);
      expect(reopened).toMatchObject({ status: 'open', solvedAt: null, nextResponseBreachedAt: null });
      const { nextResponseSeconds } = await running.app.get(SlaPoliciesService).targets('regular', 'normal');
      const dueIn = reopened.nextResponseDueAt!.getTime() - Date.now();
      expect(dueIn).toBeGreaterThan(nextResponseSeconds * 1000 - 60_000);
      expect(dueIn).toBeLessThanOrEqual(nextResponseSeconds * 1000);
      expect((await trail(t.id)).slice(-2).map((e) => [e.type, e.from, e.to])).toEqual([
        ['comment_added', null, null],
        ['status_changed', 'solved', 'open'],
      ]);
    });

    it('a customer reply to a closed ticket opens a follow-up linked to it and leaves the closed one closed', async () => {
      const t = await open({ tags: ['returns'] });
      await apply(t, { status: 'solved' });
      await apply(t, { status: 'closed' });
      const { result } = await inTransaction(t.id, (tx, locked) =>
        comments.addTo(tx, locked, { body: 'It broke again.', public: true, author: CUSTOMER, attachments: [] }, { type: 'customer', id: null }),
      );
      expect(result.ticket).toMatchObject({ followUpOf: t.id, status: 'new', tags: ['returns'], subject: t.subject });
      expect(result.comment.ticketId).toBe(result.ticket.id);
      expect((await tickets.find(t.id)).status).toBe('closed');
      const closedTrail = await trail(t.id);
      expect(closedTrail.at(-1)).toMatchObject({ type: 'follow_up_created', data: { followUpId: result.ticket.id, followUpNumber: result.ticket.number } });
    });
  });

  describe('re-targeting on a segment change', () => {
    it('derives a derived priority again and moves the due times; a chosen priority stays', async () => {
      const derived = await open({ customer: { externalId: 'cus_rules_vip', email: 'vip@example.com' } });
      const chosen = await open({ customer: { externalId: 'cus_rules_vip', email: 'vip@example.com' }, priority: 'low' });
      const changed = await db.transaction((tx) =>
        running.app.get(SegmentReevaluation).apply(tx, { externalId: 'cus_rules_vip', previousSegment: null, segment: 'vip', segments: ['vip'], version: 1 }),
      );
      expect(changed.map((t) => t.id).sort()).toEqual([derived.id, chosen.id].sort());

      const vip = await tickets.find(derived.id);
      expect(vip).toMatchObject({ segment: 'vip', priority: 'high', priorityExplicit: false });
      expect(vip.firstResponseDueAt!.getTime()).toBeLessThan(derived.firstResponseDueAt!.getTime());
      expect((await trail(derived.id)).slice(1).map((e) => [e.type, e.actor, e.data['reason'] ?? null])).toEqual([
        ['segment_changed', 'system', null],
        ['priority_changed', 'system', 'segment_changed'],
        ['sla_changed', 'system', null],
      ]);
      expect(await tickets.find(chosen.id)).toMatchObject({ segment: 'vip', priority: 'low', priorityExplicit: true });
    });

    it('applies a batch of changes as one by one: two changes of one customer in order, a stale one not at all', async () => {
      const a = await open({ customer: { externalId: 'cus_batch_a', email: 'a@example.com' } });
      const b = await open({ customer: { externalId: 'cus_batch_b', email: 'b@example.com' } });
      const reevaluation = running.app.get(SegmentReevaluation);
      const changed = await db.transaction((tx) =>
        reevaluation.applyMany(tx, [
          { externalId: 'cus_batch_a', previousSegment: null, segment: 'vip', segments: ['vip'], version: 1 },
          { externalId: 'cus_batch_b', previousSegment: null, segment: 'vip', segments: ['vip'], version: 1 },
          { externalId: 'cus_batch_a', previousSegment: 'vip', segment: 'regular', segments: ['regular'], version: 2 },
        ]),
      );
      // a: VIP, then regular (two re-targetings); b: VIP.
      expect(changed.map((t) => t.id)).toEqual([a.id, b.id, a.id]);
      expect(await tickets.find(a.id)).toMatchObject({ segment: 'regular' });
      expect(await tickets.find(b.id)).toMatchObject({ segment: 'vip', priority: 'high' });
      // A change older than what the projection holds changes nothing.
      const stale = await db.transaction((tx) =>
        reevaluation.applyMany(tx, [{ externalId: 'cus_batch_b', previousSegment: null, segment: 'online', segments: ['online'], version: 1 }]),
      );
      expect(stale).toEqual([]);
      expect(await tickets.find(b.id)).toMatchObject({ segment: 'vip' });
    });
  });

  describe('timers for a state', () => {
    it('a running ticket has a warning and a breach per clock; an answered clock has none; a solved ticket only its auto-close', async () => {
      const timers = running.app.get(TicketTimers);
      const t = await open();
      const keys = (r: TicketRecord) => timers.timersFor(r).map((timer) => timer.key.split(':').slice(0, 4).join(':'));
      expect(keys(t).sort()).toEqual(
        [`sla:${t.id}:first_response:breach`, `sla:${t.id}:first_response:warning`, `sla:${t.id}:resolution:breach`, `sla:${t.id}:resolution:warning`].sort(),
      );
      await comments.add(t.id, { body: 'Checking.', public: true, author: AGENT, attachments: [] }, API);
      expect(keys(await tickets.find(t.id)).sort()).toEqual([`sla:${t.id}:resolution:breach`, `sla:${t.id}:resolution:warning`]);
      await apply(t, { status: 'solved' });
      expect(keys(await tickets.find(t.id))).toEqual([`auto-close:${t.id}:${(await tickets.find(t.id)).solvedAt!.getTime()}`]);
    });
  });

  describe('shipment incidents', () => {
    it('reopen their solved ticket through the write path, with the reopening in the audit trail', async () => {
      const incidents = running.app.get(ShipmentIncidentsService);
      const incident = {
        shipmentId: '9b2f3c1e-5d4a-4e6b-8c7d-1a2b3c4d5e6f',
        orderExternalId: 'ord_rules',
        customerExternalId: 'cus_rules_ship',
        customerEmail: 'ship@example.com',
        customerName: null,
        carrier: 'GHN',
        trackingNumber: 'GHN1',
        trackingUrl: null,
        status: 'exception' as const,
        description: 'Damaged',
        occurredAt: new Date(),
      };
      const ticket = await db.transaction((tx) => incidents.handle(tx, incident));
      expect(ticket).toMatchObject({ type: 'shipment_exception', priority: 'high' });
      await apply(ticket, { status: 'solved' });
      const { announced } = await inTransaction(ticket.id, (tx) => incidents.handle(tx, { ...incident, status: 'returned' }));
      expect(announced).toContain('ticket.updated');
      expect((await tickets.find(ticket.id)).status).toBe('open');
      expect((await trail(ticket.id)).filter((e) => e.type === 'status_changed').map((e) => [e.from, e.to, e.actor])).toEqual([
        ['new', 'solved', 'api_key'],
        ['solved', 'open', 'system'],
      ]);
    });
  });
});
