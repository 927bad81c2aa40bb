import type { CustomerSegmentChangedPayload, TicketActor } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { TicketChanges } from '../tickets/ticket-changes.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import type { TicketRecord } from '../tickets/ticket.record.js';

const SYSTEM: TicketActor = { type: 'system', id: null };

/**
 * A customer's segment changed (VIP now, say): their running tickets take the new segment,
 * a derived priority is derived again, and SLA due times follow the new policy. Each change
 * lands in the ticket's audit trail with the system as actor.
 */
@Injectable()
export class SegmentReevaluation {
  constructor(
    private readonly customers: CustomerProjectionRepository,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
  ) {}

  async apply(tx: EntityManager, s: CustomerSegmentChangedPayload): Promise<TicketRecord[]> {
    const { applied } = await this.customers.applySegment(tx, s);
    if (!applied) return [];
    const changed: TicketRecord[] = [];
    for (const t of await this.tickets.lockRunningForCustomer(tx, s.externalId)) {
      const { ticket, changed: written } = await this.changes.applyChange(tx, t, { segment: s.segment }, SYSTEM);
      if (written) changed.push(ticket);
    }
    return changed;
  }
}
