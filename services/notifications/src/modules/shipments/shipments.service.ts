import type { ShipmentStatus } from '@careflow/contracts';
import { StatementBatcher, type OutboxEvent } from '@careflow/persistence';
import { NotFoundError, RequestContext } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { OutboundMailService, recipientFor, type MailRequest } from '../mail/outbound-mail.service.js';
import type { NewOutboundMessage } from '../mail/outbound-message.record.js';
import type { MailKind } from '../mail/templates.js';
import type { ShipmentViewDto } from '../orders/dto/order.dto.js';
import { carrierDisplayName, normalizeCarrier, trackingUrlFor } from './carriers.js';
import type { CreateShipmentDto, ShipmentEventAcceptedDto, ShipmentEventDto } from './dto/shipment.dto.js';
import type { ShipmentEventRecord, ShipmentNoticeRecord, ShipmentRecord } from './shipment.record.js';
import { ShipmentExistsError } from './shipments.exceptions.js';
import { ShipmentsRepository, type TrackingEventWrite } from './shipments.repository.js';

const INCIDENTS: ReadonlySet<ShipmentStatus> = new Set(['failed_attempt', 'exception', 'returned']);

/** The notice a shopper gets each time the shipment's current status changes. */
const NOTICE: Partial<Record<ShipmentStatus, MailKind>> = {
  created: 'shipment_created',
  in_transit: 'shipment_in_transit',
  out_for_delivery: 'shipment_out_for_delivery',
  delivered: 'shipment_delivered',
  failed_attempt: 'shipment_exception',
  exception: 'shipment_exception',
  returned: 'shipment_exception',
};

/** A tracking event waiting to be recorded, with the request it came with. */
interface TrackingEvent {
  shipmentId: string;
  dto: ShipmentEventDto;
  requestId: string | null;
}

/** What a change of a shipment's status announces: the shopper's notice, and events for the other services. */
interface Announcement {
  events: OutboxEvent[];
  notice: NewOutboundMessage | null;
}

/**
 * Shipments and their tracking events. Each write is one statement (the change, its events
 * in the outbox and the shopper's notice together), after one read of what the notice needs:
 * tracking events arrive in bursts from carriers, and on the request path every round trip to
 * Postgres costs more CPU than the work it carries.
 */
@Injectable()
export class ShipmentsService {
  constructor(
    private readonly shipments: ShipmentsRepository,
    private readonly mail: OutboundMailService,
  ) {}

  /** Tracking events waiting for the next write, at most one per shipment in each. */
  private readonly events = new StatementBatcher<TrackingEvent, ShipmentEventAcceptedDto>((batch) => this.recordEvents(batch), {
    maxBatch: 200,
    key: (e) => e.shipmentId,
  });

  /** Records a shipment of an order and queues the shopper's notice with the tracking link. */
  async create(orderExternalId: string, dto: CreateShipmentDto): Promise<ShipmentViewDto> {
    const carrier = normalizeCarrier(dto.carrier);
    const trackingUrl = dto.trackingUrl ?? trackingUrlFor(carrier, dto.trackingNumber);
    const order = await this.shipments.findOrderToShip(orderExternalId);
    if (!order) throw new NotFoundError('order', orderExternalId);
    const shipment: ShipmentNoticeRecord = {
      id: randomUUID(),
      orderExternalId,
      customerExternalId: order.customerExternalId,
      carrier,
      trackingNumber: dto.trackingNumber,
      trackingUrl,
      customer: order.customer,
    };
    const { notice } = this.announce(shipment, 'created', null, null);
    const inserted = await this.shipments.insert(
      { id: shipment.id, orderId: order.orderId, carrier, trackingNumber: dto.trackingNumber, trackingUrl, items: dto.items ?? [] },
      notice,
    );
    if (!inserted) {
      const existing = await this.shipments.findIdByTracking(carrier, dto.trackingNumber);
      throw new ShipmentExistsError(carrier, dto.trackingNumber, existing!);
    }
    return this.view(shipment.id);
  }

  /**
   * A tracking event: stored once per eventId. It moves the current status only when it is not
   * older than the status it would replace (carriers deliver events late and out of order), and
   * each change of current status sends one notice, never two for the same status.
   *
   * Events arriving together are recorded together (see `recordEvents`); the caller waits
   * for its own outcome, committed.
   */
  addEvent(shipmentId: string, dto: ShipmentEventDto): Promise<ShipmentEventAcceptedDto> {
    return this.events.submit({ shipmentId, dto, requestId: RequestContext.requestId() ?? null });
  }

  /**
   * Records a batch of tracking events, each of another shipment, in two statements: one read
   * of what the notices need, and one write that decides, per event, whether it is new, moves
   * the status, and announces the change (the events, and the notice rendered here ahead).
   */
  private async recordEvents(batch: TrackingEvent[]): Promise<Array<ShipmentEventAcceptedDto | Error>> {
    const found = await this.shipments.findForNotices(batch.map((e) => e.shipmentId));
    const shipments = new Map(found.map((s) => [s.id, s]));
    const writes: TrackingEventWrite[] = batch.flatMap((e) => {
      const shipment = shipments.get(e.shipmentId);
      if (!shipment) return [];
      const occurredAt = new Date(e.dto.occurredAt);
      const description = e.dto.description ?? null;
      const { events, notice } = this.announce(shipment, e.dto.status, description, occurredAt);
      return [{ shipmentId: e.shipmentId, eventId: e.dto.eventId, status: e.dto.status, occurredAt, description, requestId: e.requestId, events, notice }];
    });
    const recorded = await this.shipments.recordEvents(writes);
    const outcomes = new Map<string, ShipmentEventAcceptedDto>();
    writes.forEach((w, n) => {
      const outcome = recorded[n];
      if (outcome) outcomes.set(w.shipmentId, { accepted: outcome.inserted, status: outcome.status });
    });
    return batch.map((e) => outcomes.get(e.shipmentId) ?? new NotFoundError('shipment', e.shipmentId));
  }

  async view(id: string): Promise<ShipmentViewDto> {
    const shipment = await this.shipments.find(id);
    if (!shipment) throw new NotFoundError('shipment', id);
    return shipmentView(shipment, await this.shipments.eventsOf([id]));
  }

  /** The shipments of each of the orders with their events (two reads for any number of orders), by order id. */
  async viewsByOrder(orderIds: readonly string[]): Promise<Map<string, ShipmentViewDto[]>> {
    const shipments = await this.shipments.findByOrders(orderIds);
    const events = shipments.length ? await this.shipments.eventsOf(shipments.map((s) => s.id)) : [];
    const views = new Map<string, ShipmentViewDto[]>();
    for (const s of shipments) {
      const ofOrder = views.get(s.orderId) ?? [];
      ofOrder.push(shipmentView(s, events));
      views.set(s.orderId, ofOrder);
    }
    return views;
  }

  /**
   * What the shipment reaching `status` announces: `shipment.status_changed` (its previousStatus
   * is filled in by the statement that decides the change), `shipment.incident` for the tickets
   * service when the parcel is in trouble, and the shopper's notice.
   */
  private announce(s: ShipmentNoticeRecord, status: ShipmentStatus, detail: string | null, occurredAt: Date | null): Announcement {
    const customer = s.customer;
    const ref = {
      shipmentId: s.id,
      orderExternalId: s.orderExternalId,
      customerExternalId: s.customerExternalId,
      carrier: s.carrier,
      trackingNumber: s.trackingNumber,
      trackingUrl: s.trackingUrl,
      description: detail,
      occurredAt: occurredAt ?? new Date(),
    };
    const events: OutboxEvent[] = [];
    if (status !== 'created') events.push({ event: 'shipment.status_changed', payload: { ...ref, previousStatus: null, status } });
    if (INCIDENTS.has(status)) {
      events.push({
        event: 'shipment.incident',
        payload: { ...ref, customerEmail: customer?.email ?? null, customerName: customer?.name ?? null, status: status as 'failed_attempt' | 'exception' | 'returned' },
      });
    }
    const kind = NOTICE[status];
    const notice = kind
      ? this.mail.prepare({
          kind,
          dedupeKey: `shipment:${s.id}:${status}`,
          ...recipientFor(customer),
          customerExternalId: s.customerExternalId,
          shipmentId: s.id,
          params: {
            customerName: customer?.name ?? null,
            orderExternalId: s.orderExternalId,
            carrierName: carrierDisplayName(s.carrier),
            trackingNumber: s.trackingNumber,
            trackingUrl: s.trackingUrl,
            status,
            description: detail,
            occurredAt: occurredAt ?? undefined,
          } as MailRequest['params'],
        })
      : null;
    return { events, notice };
  }
}

/** A shipment as the API shows it, with its events (of any shipments: those of this one are picked). */
function shipmentView(s: ShipmentRecord, events: readonly ShipmentEventRecord[]): ShipmentViewDto {
  return {
    id: s.id,
    orderExternalId: s.orderExternalId,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    trackingUrl: s.trackingUrl,
    status: s.status,
    items: s.items,
    events: events
      .filter((e) => e.shipmentId === s.id)
      .map((e) => ({
        eventId: e.eventId,
        status: e.status,
        occurredAt: e.occurredAt.toISOString(),
        description: e.description,
        receivedAt: e.receivedAt.toISOString(),
      })),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
