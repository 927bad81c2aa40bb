import type { ShipmentStatus } from '@careflow/contracts';
import { Outbox, PreparedStatements, SqlParams, type OutboxEvent } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  CUSTOMER_PROJECTION_COLUMNS,
  toCustomerProjectionRecord,
  type CustomerProjectionColumns,
} from '../customer-projection/customer-projection.repository.js';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';
import type { NewOutboundMessage } from '../mail/outbound-message.record.js';
import { OutboundMessagesRepository } from '../mail/outbound-messages.repository.js';
import type { OrderItem } from '../orders/order.record.js';
import type { ShipmentEventRecord, ShipmentNoticeRecord, ShipmentRecord } from './shipment.record.js';

interface ShipmentRow {
  id: string;
  order_id: string;
  order_external_id: string;
  carrier: string;
  tracking_number: string;
  tracking_url: string | null;
  items: OrderItem[];
  status: ShipmentStatus;
  status_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface ShipmentEventRow {
  id: string;
  shipment_id: string;
  event_id: string;
  status: ShipmentStatus;
  occurred_at: Date;
  description: string | null;
  received_at: Date;
}

interface ShipmentNoticeRow extends CustomerProjectionColumns {
  id: string;
  order_external_id: string;
  customer_external_id: string;
  carrier: string;
  tracking_number: string;
  tracking_url: string | null;
}

const SHIPMENT_SELECT = `SELECT s.*, o.external_id AS order_external_id FROM notifications.shipments s JOIN notifications.orders o ON o.id = s.order_id`;

function toShipmentRecord(r: ShipmentRow): ShipmentRecord {
  return {
    id: r.id,
    orderId: r.order_id,
    orderExternalId: r.order_external_id,
    carrier: r.carrier,
    trackingNumber: r.tracking_number,
    trackingUrl: r.tracking_url,
    items: r.items,
    status: r.status,
    statusAt: r.status_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toShipmentEventRecord(r: ShipmentEventRow): ShipmentEventRecord {
  return {
    id: r.id,
    shipmentId: r.shipment_id,
    eventId: r.event_id,
    status: r.status,
    occurredAt: r.occurred_at,
    description: r.description,
    receivedAt: r.received_at,
  };
}

/** A shipment to record. */
export interface NewShipment {
  id: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | null;
  items: OrderItem[];
}

/** A tracking event to record, with what it announces should it change its shipment's current status. */
export interface TrackingEventWrite {
  shipmentId: string;
  eventId: string;
  status: ShipmentStatus;
  occurredAt: Date;
  description: string | null;
  /** The request the event came with; its events and notice carry it. */
  requestId: string | null;
  /** Events for other services (`shipment.status_changed` gets its previousStatus from the write). */
  events: OutboxEvent[];
  /** The shopper's notice, rendered ahead; written only when the status really changed. */
  notice: NewOutboundMessage | null;
}

/** What recording a tracking event did. */
export interface TrackingEventOutcome {
  /** False when an event with this eventId was recorded before (nothing changed). */
  inserted: boolean;
  /** The shipment's current status after the event. */
  status: ShipmentStatus;
}

/**
 * Shipments and their tracking events. A tracking event is recorded by one statement on the
 * shipment row it locks, with its events and the shopper's notice, after one read of what the
 * notice needs; both run prepared, for a batch of events at once (see ShipmentsService).
 */
@Injectable()
export class ShipmentsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: Outbox,
    private readonly statements: PreparedStatements,
    private readonly messages: OutboundMessagesRepository,
  ) {}

  /** The order a shipment is recorded for, with the customer projection's entry for its customer. */
  async findOrderToShip(
    orderExternalId: string,
  ): Promise<{ orderId: string; customerExternalId: string; customer: CustomerProjectionRecord | null } | null> {
    const rows: Array<CustomerProjectionColumns & { id: string; customer_external_id: string }> = await this.db.query(
      `SELECT o.id, o.customer_external_id, ${CUSTOMER_PROJECTION_COLUMNS}
         FROM notifications.orders o LEFT JOIN notifications.customers c ON c.external_id = o.customer_external_id
        WHERE o.external_id = $1`,
      [orderExternalId],
    );
    const row = rows[0];
    return row ? { orderId: row.id, customerExternalId: row.customer_external_id, customer: toCustomerProjectionRecord(row) } : null;
  }

  /**
   * Inserts the shipment and its notice (with the job that sends it) in one statement; false,
   * and nothing written, when the carrier's tracking number is recorded already.
   */
  async insert(s: NewShipment, notice: NewOutboundMessage | null): Promise<boolean> {
    const q = new SqlParams();
    const inserted: unknown[] = await this.db.query(
      `WITH shipment AS (
         INSERT INTO notifications.shipments (id, order_id, carrier, tracking_number, tracking_url, items)
         VALUES (${q.add(s.id)}, ${q.add(s.orderId)}, ${q.add(s.carrier)}, ${q.add(s.trackingNumber)}, ${q.add(s.trackingUrl)}, ${q.add(JSON.stringify(s.items))}::jsonb)
         ON CONFLICT (carrier, tracking_number) DO NOTHING RETURNING id
       )${notice ? `, ${this.messages.insertSql(q, [{ mail: notice }], { from: 'shipment' })}` : ''}
       SELECT 1 FROM shipment`,
      q.values,
    );
    return inserted.length > 0;
  }

  async findIdByTracking(carrier: string, trackingNumber: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM notifications.shipments WHERE carrier = $1 AND tracking_number = $2`,
      [carrier, trackingNumber],
    );
    return rows[0]?.id ?? null;
  }

  async find(id: string): Promise<ShipmentRecord | null> {
    const rows: ShipmentRow[] = await this.db.query(`${SHIPMENT_SELECT} WHERE s.id = $1`, [id]);
    return rows[0] ? toShipmentRecord(rows[0]) : null;
  }

  /** The shipments of the orders, oldest first. */
  async findByOrders(orderIds: readonly string[]): Promise<ShipmentRecord[]> {
    const rows: ShipmentRow[] = await this.db.query(`${SHIPMENT_SELECT} WHERE s.order_id = ANY($1::uuid[]) ORDER BY s.created_at, s.id`, [orderIds]);
    return rows.map(toShipmentRecord);
  }

  /** The tracking events of the shipments, in the order they happened. */
  async eventsOf(shipmentIds: readonly string[]): Promise<ShipmentEventRecord[]> {
    const rows: ShipmentEventRow[] = await this.db.query(
      `SELECT * FROM notifications.shipment_events WHERE shipment_id = ANY($1::uuid[]) ORDER BY occurred_at, received_at`,
      [shipmentIds],
    );
    return rows.map(toShipmentEventRecord);
  }

  /** Of the shipments given, those that exist, as their notices need them: one read for a batch of events. */
  async findForNotices(ids: readonly string[]): Promise<ShipmentNoticeRecord[]> {
    const rows = await this.statements.query<ShipmentNoticeRow>(
      `SELECT s.id, o.external_id AS order_external_id, o.customer_external_id, s.carrier, s.tracking_number, s.tracking_url, ${CUSTOMER_PROJECTION_COLUMNS}
         FROM notifications.shipments s JOIN notifications.orders o ON o.id = s.order_id
         LEFT JOIN notifications.customers c ON c.external_id = o.customer_external_id
        WHERE s.id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => ({
      id: r.id,
      orderExternalId: r.order_external_id,
      customerExternalId: r.customer_external_id,
      carrier: r.carrier,
      trackingNumber: r.tracking_number,
      trackingUrl: r.tracking_url,
      customer: toCustomerProjectionRecord(r),
    }));
  }

  /**
   * Records tracking events, each of another existing shipment, in one statement that takes
   * each decision itself, on the shipment rows it locks (in id order, so concurrent batches
   * never deadlock): an event is inserted unless its eventId is known, moves the status unless
   * it is older, and announces a change (its events, and its notice) only when the status
   * really changed. One outcome per event, in order (null where the shipment is gone).
   */
  async recordEvents(writes: readonly TrackingEventWrite[]): Promise<Array<TrackingEventOutcome | null>> {
    if (writes.length === 0) return [];
    const events: OutboxEvent[] = [];
    const notices: Array<{ mail: NewOutboundMessage; key: string; requestId: string | null }> = [];
    writes.forEach((w, n) => {
      for (const event of w.events) events.push({ ...event, requestId: w.requestId, key: String(n) });
      if (w.notice) notices.push({ mail: w.notice, key: String(n), requestId: w.requestId });
    });
    const q = new SqlParams();
    const rows = await this.statements.query<{ n: number; inserted: boolean; status: ShipmentStatus }>(
      `WITH input AS (
         SELECT * FROM unnest(${q.add(writes.map((_, n) => n))}::int[], ${q.add(writes.map((w) => w.shipmentId))}::uuid[],
                              ${q.add(writes.map((w) => w.eventId))}::text[], ${q.add(writes.map((w) => w.status))}::text[],
                              ${q.add(writes.map((w) => w.occurredAt))}::timestamptz[], ${q.add(writes.map((w) => w.description))}::text[])
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
       ), ${this.messages.insertSql(q, notices, { from: 'changed', on: 'changed.n::text = m.key' })}
       SELECT d.n, d.inserted, coalesce(m.status, d.previous) AS status FROM decision d LEFT JOIN moved m ON m.n = d.n`,
      q.values,
    );
    const outcomes = new Map(rows.map((row) => [row.n, { inserted: row.inserted, status: row.status }]));
    return writes.map((_, n) => outcomes.get(n) ?? null);
  }
}
