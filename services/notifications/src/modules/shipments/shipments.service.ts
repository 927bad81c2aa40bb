import type { ShipmentStatus } from '@careflow/contracts';
import { Outbox, PreparedStatements, SqlParams, StatementBatcher, type OutboxEvent } from '@careflow/persistence';
import { NotFoundError, RequestContext } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CUSTOMER_PROJECTION_COLUMNS, toCustomerProjectionRecord, type CustomerProjectionColumns } from '../customer-projection/customer-projection.repository.js';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';
import { OutboundMailService, recipientFor, type MailRequest } from '../mail/outbound-mail.service.js';
import type { NewOutboundMessage } from '../mail/outbound-message.record.js';
import { OutboundMessagesRepository } from '../mail/outbound-messages.repository.js';
import type { MailKind } from '../mail/templates.js';
import type { ShipmentViewDto } from '../orders/dto/order.dto.js';
import { shipmentView } from '../orders/orders.service.js';
import { carrierDisplayName, normalizeCarrier, trackingUrlFor } from './carriers.js';
import type { CreateShipmentDto, ShipmentEventAcceptedDto, ShipmentEventDto } from './dto/shipment.dto.js';
import { ShipmentExistsError } from './shipments.exceptions.js';

/** A shipment as its notices need it: what it is and whose it is (where it stands is decided by the write). */
interface ShipmentRow extends CustomerProjectionColumns {
  id: string;
  order_external_id: string;
  customer_external_id: string;
  carrier: string;
  tracking_number: string;
  tracking_url: string | null;
}

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
  mail: NewOutboundMessage | null;
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
    @InjectDataSource() private readonly db: DataSource,
    private readonly mail: OutboundMailService,
    private readonly messages: OutboundMessagesRepository,
    private readonly outbox: Outbox,
    private readonly statements: PreparedStatements,
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
    const orders: Array<CustomerProjectionColumns & { id: string; customer_external_id: string }> = await this.db.query(
      `SELECT o.id, o.customer_external_id, ${CUSTOMER_PROJECTION_COLUMNS}
         FROM notifications.orders o LEFT JOIN notifications.customers c ON c.external_id = o.customer_external_id
        WHERE o.external_id = $1`,
      [orderExternalId],
    );
    const order = orders[0];
    if (!order) throw new NotFoundError('order', orderExternalId);
    const shipment: ShipmentRow = {
      ...order,
      id: randomUUID(),
      order_external_id: orderExternalId,
      carrier,
      tracking_number: dto.trackingNumber,
      tracking_url: trackingUrl,
    };
    const { mail } = this.announce(shipment, 'created', null, null);
    const q = new SqlParams();
    const inserted: unknown[] = await this.db.query(
      `WITH shipment AS (
         INSERT INTO notifications.shipments (id, order_id, carrier, tracking_number, tracking_url, items)
         VALUES (${q.add(shipment.id)}, ${q.add(order.id)}, ${q.add(carrier)}, ${q.add(dto.trackingNumber)}, ${q.add(trackingUrl)}, ${q.add(JSON.stringify(dto.items ?? []))}::jsonb)
         ON CONFLICT (carrier, tracking_number) DO NOTHING RETURNING id
       )${mail ? `, ${this.messages.insertSql(q, [{ mail }], { from: 'shipment' })}` : ''}
       SELECT 1 FROM shipment`,
      q.values,
    );
    if (inserted.length === 0) {
      const existing: Array<{ id: string }> = await this.db.query(
        `SELECT id FROM notifications.shipments WHERE carrier = $1 AND tracking_number = $2`,
        [carrier, dto.trackingNumber],
      );
      throw new ShipmentExistsError(carrier, dto.trackingNumber, existing[0]!.id);
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
   * of what the notices need, and one write. The write takes each decision itself, on the
   * shipment rows it locks (in id order, so concurrent batches never deadlock): an event is
   * inserted unless its eventId is known, moves the status unless it is older, and announces a
   * change (the events, and the notice rendered ahead) only when the status really changed.
   */
  private async recordEvents(batch: TrackingEvent[]): Promise<Array<ShipmentEventAcceptedDto | Error>> {
    const found = await this.statements.query<ShipmentRow>(
      `SELECT s.id, o.external_id AS order_external_id, o.customer_external_id, s.carrier, s.tracking_number, s.tracking_url, ${CUSTOMER_PROJECTION_COLUMNS}
         FROM notifications.shipments s JOIN notifications.orders o ON o.id = s.order_id
         LEFT JOIN notifications.customers c ON c.external_id = o.customer_external_id
        WHERE s.id = ANY($1::uuid[])`,
      [batch.map((e) => e.shipmentId)],
    );
    const shipments = new Map(found.map((s) => [s.id, s]));
    const known = batch.filter((e) => shipments.has(e.shipmentId)).map((e) => ({ ...e, occurredAt: new Date(e.dto.occurredAt) }));
    const events: OutboxEvent[] = [];
    const mails: Array<{ mail: NewOutboundMessage; key: string; requestId: string | null }> = [];
    known.forEach((e, n) => {
      const announcement = this.announce(shipments.get(e.shipmentId)!, e.dto.status, e.dto.description ?? null, e.occurredAt);
      for (const event of announcement.events) events.push({ ...event, requestId: e.requestId, key: String(n) });
      if (announcement.mail) mails.push({ mail: announcement.mail, key: String(n), requestId: e.requestId });
    });
    const outcomes = new Map<string, ShipmentEventAcceptedDto>();
    if (known.length > 0) {
      const q = new SqlParams();
      const rows = await this.statements.query<{ n: number; inserted: boolean; status: ShipmentStatus }>(
        `WITH input AS (
           SELECT * FROM unnest(${q.add(known.map((_, n) => n))}::int[], ${q.add(known.map((e) => e.shipmentId))}::uuid[],
                                ${q.add(known.map((e) => e.dto.eventId))}::text[], ${q.add(known.map((e) => e.dto.status))}::text[],
                                ${q.add(known.map((e) => e.occurredAt))}::timestamptz[], ${q.add(known.map((e) => e.dto.description ?? null))}::text[])
             AS i(n, shipment_id, event_id, status, occurred_at, description)
         ), shipment AS (
           SELECT id, status, status_at FROM notifications.shipments WHERE id IN (SELECT shipment_id FROM input) ORDER BY id FOR UPDATE
         ), event AS (
           INSERT INTO notifications.shipment_events (shipment_id, event_id, status, occurred_at, description)
           SELECT i.shipment_id, i.event_id, i.status, i.occurred_at, i.description FROM input i JOIN shipment s ON s.id = i.shipment_id
           ON CONFLICT (shipment_id, event_id) DO NOTHING RETURNING shipment_id
         ), decision AS (
           SELECT i.n, i.shipment_id, i.status, i.occurred_at, s.status AS previous,
                  EXISTS (SELECT 1 FROM event e WHERE e.shipment_id = i.shipment_id) AS inserted,
                  (s.status_at IS NULL OR s.status_at <= i.occurred_at) AS newer
             FROM input i JOIN shipment s ON s.id = i.shipment_id
         ), moved AS (
           UPDATE notifications.shipments s SET status = d.status, status_at = d.occurred_at, updated_at = now()
             FROM decision d WHERE s.id = d.shipment_id AND d.inserted AND d.newer
           RETURNING d.n, d.previous, d.status
         ), changed AS (
           SELECT n, previous FROM moved WHERE previous <> status
         ), announced AS (
           ${this.outbox.insertSql(q, events, {
             from: 'changed',
             on: 'changed.n::text = e.key',
             payload: (p) => `CASE WHEN e.event = 'shipment.status_changed' THEN jsonb_set(${p}, '{previousStatus}', to_jsonb(changed.previous)) ELSE ${p} END`,
           })}
         ), ${this.messages.insertSql(q, mails, { from: 'changed', on: 'changed.n::text = m.key' })}
         SELECT d.n, d.inserted, coalesce(m.status, d.previous) AS status FROM decision d LEFT JOIN moved m ON m.n = d.n`,
        q.values,
      );
      for (const row of rows) outcomes.set(known[row.n]!.shipmentId, { accepted: row.inserted, status: row.status });
    }
    return batch.map((e) => outcomes.get(e.shipmentId) ?? new NotFoundError('shipment', e.shipmentId));
  }

  async view(id: string): Promise<ShipmentViewDto> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT s.*, o.external_id AS order_external_id FROM notifications.shipments s JOIN notifications.orders o ON o.id = s.order_id WHERE s.id = $1`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError('shipment', id);
    const events: Array<Record<string, unknown>> = await this.db.query(
      `SELECT * FROM notifications.shipment_events WHERE shipment_id = $1 ORDER BY occurred_at, received_at`,
      [id],
    );
    return shipmentView(rows[0], events);
  }

  /**
   * What the shipment reaching `status` announces: `shipment.status_changed` (its previousStatus
   * is filled in by the statement that decides the change), `shipment.incident` for the tickets
   * service when the parcel is in trouble, and the shopper's notice.
   */
  private announce(s: ShipmentRow, status: ShipmentStatus, detail: string | null, occurredAt: Date | null): Announcement {
    const customer: CustomerProjectionRecord | null = toCustomerProjectionRecord(s);
    const ref = {
      shipmentId: s.id,
      orderExternalId: s.order_external_id,
      customerExternalId: s.customer_external_id,
      carrier: s.carrier,
      trackingNumber: s.tracking_number,
      trackingUrl: s.tracking_url,
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
    const mail = kind
      ? this.mail.prepare({
          kind,
          dedupeKey: `shipment:${s.id}:${status}`,
          ...recipientFor(customer),
          customerExternalId: s.customer_external_id,
          shipmentId: s.id,
          params: {
            customerName: customer?.name ?? null,
            orderExternalId: s.order_external_id,
            carrierName: carrierDisplayName(s.carrier),
            trackingNumber: s.tracking_number,
            trackingUrl: s.tracking_url,
            status,
            description: detail,
            occurredAt: occurredAt ?? undefined,
          } as MailRequest['params'],
        })
      : null;
    return { events, mail };
  }
}
