import type { CustomerSegmentChangedPayload, Segment, TicketActor } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { priorityBump, sameCarePolicy, ticketCarePolicy, type TicketCarePolicy } from '../sla/priority-policy.js';
import { TicketChanges, type TicketChange } from '../tickets/ticket-changes.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import type { TicketRecord } from '../tickets/ticket.record.js';

const SYSTEM: TicketActor = { type: 'system', id: null };

/**
 * A customer's segment changed (VIP now, say): their running tickets take the new segment,
 * a derived priority is derived again, and SLA due times follow the new policy; so they do
 * when only the segment's care policy changed (priority bump, SLA policy). Each change lands
 * in the ticket's audit trail with the system as actor.
 */
@Injectable()
export class SegmentReevaluation {
  constructor(
    private readonly customers: CustomerProjectionRepository,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
  ) {}

  async apply(tx: EntityManager, s: CustomerSegmentChangedPayload): Promise<TicketRecord[]> {
    return this.applyMany(tx, [s]);
  }

  /**
   * Several changes at once (a batch job): the customers' projections in two statements, then
   * the running tickets of those whose change matters. Two changes of one customer in a batch
   * are applied one after the other.
   */
  async applyMany(tx: EntityManager, changes: readonly CustomerSegmentChangedPayload[]): Promise<TicketRecord[]> {
    const changed: TicketRecord[] = [];
    let rest = [...changes];
    while (rest.length > 0) {
      const seen = new Set<string>();
      const now = rest.filter((s) => !seen.has(s.externalId) && seen.add(s.externalId));
      rest = rest.filter((s) => !now.includes(s));
      const outcomes = await this.customers.applySegments(tx, now);
      for (const s of now) changed.push(...(await this.retarget(tx, s, outcomes.get(s.externalId)!)));
    }
    return changed;
  }

  private async retarget(
    tx: EntityManager,
    s: CustomerSegmentChangedPayload,
    { applied, previous, previousPolicy }: { applied: boolean; previous: Segment | null; previousPolicy: TicketCarePolicy | null },
  ): Promise<TicketRecord[]> {
    if (!applied) return [];
    // The first segment learned for a customer (typically the one segmentation gave a customer
    // it first met on this very ticket) leaves the tickets already opened with the response
    // times their acknowledgement promised, unless it raises their care (a VIP): tickets
    // opened from now on follow it.
    const policy = ticketCarePolicy(s.policy);
    if (previous === null && priorityBump(s.segment, policy) === 0) return [];
    const change: TicketChange = { segment: s.segment };
    // Only a policy that really changed re-derives tickets whose segment stays (a change of
    // custom segments alone must not move due times).
    if (!sameCarePolicy(previousPolicy, policy)) change.carePolicy = policy;
    const changed: TicketRecord[] = [];
    for (const t of await this.tickets.lockRunningForCustomer(tx, s.externalId)) {
      const { ticket, changed: written } = await this.changes.applyChange(tx, t, change, SYSTEM);
      if (written) changed.push(ticket);
    }
    return changed;
  }
}
