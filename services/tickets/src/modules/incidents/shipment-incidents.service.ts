import type { ShipmentIncidentPayload, TicketActor } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CommentsService } from '../comments/comments.service.js';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { statusAfterCustomerReply } from '../tickets/status-machine.js';
import { TicketChanges } from '../tickets/ticket-changes.js';
import type { TicketRecord } from '../tickets/ticket.record.js';

const SYSTEM: TicketActor = { type: 'system', id: null };

const WHAT: Record<ShipmentIncidentPayload['status'], string> = {
  failed_attempt: 'a failed delivery attempt',
  exception: 'a delivery exception',
  returned: 'a return to sender',
};

/**
 * A shipment got stuck: one incident ticket per shipment (not one per tracking event), handled
 * first (at least high priority). Later incidents of the same shipment are added to its ticket
 * as internal notes and reopen it if it was solved.
 */
@Injectable()
export class ShipmentIncidentsService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly comments: CommentsService,
    private readonly customers: CustomerProjectionRepository,
  ) {}

  async handle(tx: EntityManager, i: ShipmentIncidentPayload): Promise<TicketRecord> {
    const note =
      `Carrier ${i.carrier} reports ${WHAT[i.status]} for shipment ${i.trackingNumber} (order ${i.orderExternalId}) at ${i.occurredAt.toISOString()}` +
      `${i.description ? `: ${i.description}` : '.'}${i.trackingUrl ? `\nTracking: ${i.trackingUrl}` : ''}`;
    const existing = await this.tickets.findOpenByShipment(tx, i.shipmentId);
    if (existing) {
      // A solved, pending or on-hold incident ticket is reopened, as a customer reply would.
      const { ticket } = await this.changes.applyChange(tx, existing, { status: statusAfterCustomerReply(existing.status) }, SYSTEM);
      const { ticket: after } = await this.comments.addTo(tx, ticket, { body: note, public: false, author: { type: 'system', id: null, email: null, name: null }, attachments: [] }, SYSTEM);
      return after;
    }
    // notifications names the customer as it knew them when the carrier reported; an incident
    // that happened before the customer was erased must not bring their details back.
    const known = await this.customers.find(tx, i.customerExternalId, i.customerEmail);
    const erased = known?.erasedAt && i.occurredAt.getTime() <= known.erasedAt.getTime();
    return this.changes.open(
      tx,
      {
        subject: `Shipment ${i.trackingNumber} (${i.carrier}): ${WHAT[i.status]}`,
        description: note,
        customer: { externalId: i.customerExternalId, email: erased ? null : i.customerEmail, name: erased ? null : i.customerName },
        channel: 'api',
        type: 'shipment_exception',
        tags: ['shipment', i.status],
        orderExternalId: i.orderExternalId,
        shipmentId: i.shipmentId,
      },
      SYSTEM,
      known,
    );
  }
}
