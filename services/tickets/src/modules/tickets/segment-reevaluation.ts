import type { CustomerSegmentChangedPayload, TicketActor } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerProjectionService } from '../customers/customer-projection.service.js';
import { TicketEventsService, type TicketEventInput } from '../events/ticket-events.service.js';
import { derivePriority } from '../sla/priority-policy.js';
import { TicketsRepository, type TicketPatch } from './tickets.repository.js';
import { TicketsService, type Changes } from './tickets.service.js';
import type { TicketRecord } from './ticket.record.js';

const SYSTEM: TicketActor = { type: 'system', id: null };

/**
 * A customer's segment changed (VIP now, say): their running tickets take the new segment,
 * a derived priority is derived again, and SLA due times follow the new policy. Each change
 * lands in the ticket's audit trail with the system as actor.
 */
@Injectable()
export class SegmentReevaluation {
  constructor(
    private readonly customers: CustomerProjectionService,
    private readonly tickets: TicketsRepository,
    private readonly ticketsService: TicketsService,
    private readonly events: TicketEventsService,
  ) {}

  async apply(tx: EntityManager, s: CustomerSegmentChangedPayload): Promise<TicketRecord[]> {
    const { applied } = await this.customers.applySegment(tx, s);
    if (!applied) return [];
    const changed: TicketRecord[] = [];
    for (const t of await this.tickets.lockRunningForCustomer(tx, s.externalId)) {
      if (t.segment === s.segment) continue;
      const patch: TicketPatch = { segment: s.segment };
      const changes: Changes = { segment: { from: t.segment, to: s.segment } };
      const events: TicketEventInput[] = [{ type: 'segment_changed', field: 'segment', from: t.segment, to: s.segment }];
      const priority = t.priorityExplicit ? t.priority : derivePriority(t.type, s.segment);
      if (priority !== t.priority) {
        patch.priority = priority;
        changes['priority'] = { from: t.priority, to: priority };
        events.push({ type: 'priority_changed', field: 'priority', from: t.priority, to: priority, data: { reason: 'segment_changed' } });
      }
      events.push(...(await this.ticketsService.retarget(tx, t, priority, patch, changes, s.segment)));
      const updated = await this.tickets.update(tx, t.id, patch);
      await this.events.record(tx, t.id, SYSTEM, events);
      await this.ticketsService.announce(tx, t, updated, changes, SYSTEM);
      changed.push(updated);
    }
    return changed;
  }
}
