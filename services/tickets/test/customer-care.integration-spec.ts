import type { JobName, JobPayload, Segment, TicketActor, TicketPriority } from '@careflow/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { TicketsIncomingProcessor } from '../src/modules/incoming/tickets-incoming.processor.js';
import { SlaPoliciesService } from '../src/modules/sla/sla-policies.service.js';
import { TicketChanges, type TicketDraft } from '../src/modules/tickets/ticket-changes.js';
import { TicketsRepository } from '../src/modules/tickets/tickets.repository.js';
import type { TicketRecord } from '../src/modules/tickets/ticket.record.js';
import { useTicketsApp } from './app.support.js';

const API: TicketActor = { type: 'api_key', id: null };

/**
 * What tickets do with what they know of a customer: tell segmentation about customers it may
 * not know (customer.observed, written with the ticket), and treat each customer by the care
 * policy of their segment.
 */
describe('customers on tickets', () => {
  const running = useTicketsApp({ WORKERS_ENABLED: 'false' });
  let db: DataSource;
  let changes: TicketChanges;
  let tickets: TicketsRepository;
  let worker: TicketsIncomingProcessor;

  beforeAll(() => {
    db = running.dataSource;
    changes = running.get(TicketChanges);
    tickets = running.get(TicketsRepository);
    worker = running.get(TicketsIncomingProcessor);
  });

  function deliver<N extends JobName>(name: N, data: JobPayload<N> | Record<string, unknown>): Promise<'handled' | 'duplicate'> {
    const eventId = randomUUID();
    return worker.process({ id: eventId, name, data: JSON.parse(JSON.stringify({ eventId, occurredAt: new Date(), data })) });
  }

  /** Opens a ticket as the API does: one statement, no transaction. */
  const open = (customer: TicketDraft['customer'], draft: Partial<TicketDraft> = {}): Promise<TicketRecord> =>
    changes.open(db.manager, { subject: 'Parcel late', description: 'Still not here.', customer, channel: 'web', ...draft }, API);

  describe('customer.observed', () => {
    /** The observations written by the statement that wrote the ticket (same transaction id). */
    async function observedWith(ticket: TicketRecord): Promise<Array<Record<string, unknown>>> {
      const rows: Array<{ payload: Record<string, unknown> }> = await db.query(
        `SELECT o.payload FROM tickets.outbox o, tickets.tickets t
          WHERE t.id = $1 AND o.xmin = t.xmin AND o.event = 'customer.observed' ORDER BY o.seq`,
        [ticket.id],
      );
      return rows.map((r) => r.payload);
    }

    it('is written with a ticket whose customer the projection does not know', async () => {
      const ticket = await open({ externalId: 'cus_obs_new', email: 'mai@example.com', name: 'Mai' });
      expect(await observedWith(ticket)).toEqual([
        { externalId: 'cus_obs_new', email: 'mai@example.com', name: 'Mai', source: 'ticket', observedAt: ticket.createdAt.toISOString() },
      ]);
      // After ticket.created, in the same INSERT.
      const events: Array<{ event: string }> = await db.query(
        `SELECT o.event FROM tickets.outbox o, tickets.tickets t WHERE t.id = $1 AND o.xmin = t.xmin ORDER BY o.seq`,
        [ticket.id],
      );
      expect(events.map((e) => e.event)).toEqual(['ticket.created', 'customer.observed']);

      const byAddressOnly = await open({ email: 'walk.in@example.com' });
      expect(await observedWith(byAddressOnly)).toEqual([expect.objectContaining({ externalId: null, email: 'walk.in@example.com', name: null })]);
    });

    it('is not written for a customer the projection knows with an address, by id or by address', async () => {
      await deliver('customer.upserted', {
        externalId: 'cus_obs_known', email: 'hoa@example.com', name: 'Hoa', phone: null, locale: 'vi', tags: [], vip: null, version: 1, updatedAt: new Date(),
      });
      expect(await observedWith(await open({ externalId: 'cus_obs_known', email: 'hoa.work@example.com', name: 'Hoa' }))).toEqual([]);
      expect(await observedWith(await open({ email: 'HOA@example.com' }))).toEqual([]);
    });

    it('is written when the projection knows the customer without an address and the ticket gives one', async () => {
      // Known from a segment change only: no contact data yet.
      await deliver('customer.segment_changed', { externalId: 'cus_obs_bare', previousSegment: null, segment: 'online', segments: ['online'], version: 1 });
      expect(await observedWith(await open({ externalId: 'cus_obs_bare', email: null }))).toEqual([]);
      expect(await observedWith(await open({ externalId: 'cus_obs_bare', email: 'bare@example.com' }))).toEqual([
        expect.objectContaining({ externalId: 'cus_obs_bare', email: 'bare@example.com' }),
      ]);
    });

    it('is not written for a ticket that names no address and no name', async () => {
      expect(await observedWith(await open({ externalId: 'cus_obs_nothing', email: null }))).toEqual([]);
    });
  });

  describe('care policy', () => {
    const sla = () => running.app.get(SlaPoliciesService);
    const dueIn = (t: TicketRecord) => ({
      firstResponse: (t.firstResponseDueAt!.getTime() - t.createdAt.getTime()) / 1000,
      resolution: (t.resolutionDueAt!.getTime() - t.createdAt.getTime()) / 1000,
    });
    async function targets(segment: Segment, priority: TicketPriority) {
      const { firstResponseSeconds, resolutionSeconds } = await sla().targets(segment, priority);
      return { firstResponse: firstResponseSeconds, resolution: resolutionSeconds };
    }
    const segmentChanged = (externalId: string, version: number, segment: Segment, extra: Record<string, unknown> = {}) =>
      deliver('customer.segment_changed', { externalId, previousSegment: null, segment, segments: [segment], version, ...extra });
    async function trail(id: string): Promise<Array<[string, unknown, unknown, unknown]>> {
      const rows: Array<{ type: string; from_value: unknown; to_value: unknown; data: Record<string, unknown> }> = await db.query(
        `SELECT type, from_value, to_value, data FROM tickets.ticket_events WHERE ticket_id = $1 ORDER BY seq`,
        [id],
      );
      return rows.map((r) => [r.type, r.from_value, r.to_value, r.data['reason'] ?? null]);
    }

    it('raises a new ticket\'s derived priority by the bump and takes the SLA policy it names', async () => {
      await segmentChanged('cus_care_wholesale', 1, 'regular', {
        segments: ['regular', 'wholesale_partners'], // a custom segment beside the primary one
        policy: { priorityBump: 2, slaPolicy: 'vip', preferredChannel: 'phone' },
      });
      const projection = await db.query(`SELECT segment, segments, priority_bump, sla_policy FROM tickets.customers WHERE external_id = 'cus_care_wholesale'`);
      expect(projection).toEqual([{ segment: 'regular', segments: ['regular', 'wholesale_partners'], priority_bump: 2, sla_policy: 'vip' }]);

      const ticket = await open({ externalId: 'cus_care_wholesale', email: 'buyer@wholesale.example' });
      expect(ticket).toMatchObject({ segment: 'regular', priority: 'urgent', priorityExplicit: false });
      expect(dueIn(ticket)).toEqual(await targets('vip', 'urgent'));
      expect(await tickets.find(ticket.id)).toMatchObject({ priority: 'urgent', carePolicy: { priorityBump: 2, slaPolicy: 'vip' } });

      // A chosen priority stays chosen; its targets still come from the policy's SLA.
      const chosen = await open({ externalId: 'cus_care_wholesale', email: 'buyer@wholesale.example' }, { priority: 'low' });
      expect(chosen.priority).toBe('low');
      expect(dueIn(chosen)).toEqual(await targets('vip', 'low'));
    });

    it('without a policy (events of releases before policies) raises VIPs one step with their own SLA, as before', async () => {
      await segmentChanged('cus_care_old_vip', 1, 'vip');
      const ticket = await open({ externalId: 'cus_care_old_vip', email: 'old.vip@example.com' });
      expect(ticket).toMatchObject({ segment: 'vip', priority: 'high' });
      expect(dueIn(ticket)).toEqual(await targets('vip', 'high'));
      const regular = await open({ externalId: 'cus_care_nobody', email: 'nobody@example.com' });
      expect(regular).toMatchObject({ segment: null, priority: 'normal' });
      expect(dueIn(regular)).toEqual(await targets('regular', 'normal'));
    });

    it('leaves tickets opened before a customer\'s first segment with what they were promised, unless it raises their care', async () => {
      const first = await open({ externalId: 'cus_care_first', email: 'first@example.com' });
      const promised = await tickets.find(first.id);
      await segmentChanged('cus_care_first', 1, 'online');
      expect(await tickets.find(first.id)).toMatchObject({ segment: null, priority: promised!.priority, firstResponseDueAt: promised!.firstResponseDueAt });
      // Tickets opened from now on follow it.
      expect(await open({ externalId: 'cus_care_first', email: 'first@example.com' })).toMatchObject({ segment: 'online' });

      const vip = await open({ externalId: 'cus_care_first_vip', email: 'first.vip@example.com' });
      await segmentChanged('cus_care_first_vip', 1, 'vip', { policy: { priorityBump: 1, slaPolicy: 'vip', preferredChannel: 'phone' } });
      expect(await tickets.find(vip.id)).toMatchObject({ segment: 'vip', priority: 'high' });
    });

    it('moves running tickets when the policy changes, even when the segment stays, and not when only custom segments do', async () => {
      await segmentChanged('cus_care_moving', 1, 'regular');
      const running_ = await open({ externalId: 'cus_care_moving', email: 'moving@example.com' });
      expect(await tickets.find(running_.id)).toMatchObject({ segment: 'regular', priority: 'normal' });

      await segmentChanged('cus_care_moving', 2, 'regular', { policy: { priorityBump: 1, slaPolicy: 'vip', preferredChannel: 'email' } });
      const raised = await tickets.find(running_.id);
      expect(raised).toMatchObject({ segment: 'regular', priority: 'high' });
      expect(dueIn(raised)).toEqual(await targets('vip', 'high'));
      expect((await trail(running_.id)).slice(-2).map(([type, , , reason]) => [type, reason])).toEqual([
        ['priority_changed', 'care_policy_changed'],
        ['sla_changed', null],
      ]);

      // The same policy with another custom segment: nothing to re-derive, nothing recorded.
      const entries = (await trail(running_.id)).length;
      await segmentChanged('cus_care_moving', 3, 'regular', {
        segments: ['regular', 'newsletter'], policy: { priorityBump: 1, slaPolicy: 'vip', preferredChannel: 'sms' },
      });
      expect((await trail(running_.id)).length).toBe(entries);

      // A type change derives again under the policy: a shipment exception is high, raised to urgent.
      await db.transaction(async (tx) => changes.applyChange(tx, await tickets.find(running_.id, tx, true), { type: 'shipment_exception' }, API));
      expect(await tickets.find(running_.id)).toMatchObject({ priority: 'urgent' });

      // An older event is ignored; a newer one without a policy goes back to the segment's own rules.
      await segmentChanged('cus_care_moving', 2, 'regular');
      expect((await tickets.find(running_.id)).priority).toBe('urgent');
      await segmentChanged('cus_care_moving', 4, 'regular');
      const back = await tickets.find(running_.id);
      expect(back).toMatchObject({ priority: 'high', carePolicy: null });
      expect(dueIn(back)).toEqual(await targets('regular', 'high'));
    });
  });
});
