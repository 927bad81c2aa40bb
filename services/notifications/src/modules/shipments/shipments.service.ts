import type { ShipmentStatus } from '@careflow/contracts';
import { NotFoundError } from '@careflow/http';
import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ContactProjectionService } from '../customers/contact-projection.service.js';
import { OutboundMailService, recipientFor, type MailRequest } from '../mail/outbound-mail.service.js';
import type { MailKind } from '../mail/templates.js';
import type { ShipmentViewDto } from '../orders/dto/order.dto.js';
import { shipmentView } from '../orders/orders.service.js';
import { carrierDisplayName, normalizeCarrier, trackingUrlFor } from './carriers.js';
import type { CreateShipmentDto, ShipmentEventAcceptedDto, ShipmentEventDto } from './dto/shipment.dto.js';
import { ShipmentExistsError } from './shipments.exceptions.js';

interface ShipmentRow {
  id: string;
  order_id: string;
  order_external_id: string;
  customer_external_id: string;
  carrier: string;
  tracking_number: string;
  tracking_url: string | null;
  status: ShipmentStatus;
  status_at: Date | null;
}

const INCIDENTS: ReadonlySet<ShipmentStatus> = new Set(['failed_attempt', 'exception', 'returned']);

/** The notice a shopper gets each time the shipment's current status changes. */
const NOTICE: Partial<Record<ShipmentStatus, MailKind>> = {
  in_transit: 'shipment_in_transit',
  out_for_delivery: 'shipment_out_for_delivery',
  delivered: 'shipment_delivered',
  failed_attempt: 'shipment_exception',
  exception: 'shipment_exception',
  returned: 'shipment_exception',
};

@Injectable()
export class ShipmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly contacts: ContactProjectionService,
    private readonly mail: OutboundMailService,
    private readonly outbox: Outbox,
  ) {}

  /** Records a shipment of an order and queues the shopper's notice with the tracking link. */
  async create(orderExternalId: string, dto: CreateShipmentDto): Promise<ShipmentViewDto> {
    const carrier = normalizeCarrier(dto.carrier);
    const trackingUrl = dto.trackingUrl ?? trackingUrlFor(carrier, dto.trackingNumber);
    const id = await this.db.transaction(async (tx) => {
      const orders: Array<{ id: string; customer_external_id: string }> = await tx.query(
        `SELECT id, customer_external_id FROM notifications.orders WHERE external_id = $1`,
        [orderExternalId],
      );
      const order = orders[0];
      if (!order) throw new NotFoundError('order', orderExternalId);
      const rows: Array<{ id: string }> = await tx.query(
        `INSERT INTO notifications.shipments (order_id, carrier, tracking_number, tracking_url, items) VALUES ($1, $2, $3, $4, $5::jsonb)
         ON CONFLICT (carrier, tracking_number) DO NOTHING RETURNING id`,
        [order.id, carrier, dto.trackingNumber, trackingUrl, JSON.stringify(dto.items ?? [])],
      );
      if (!rows[0]) {
        const existing: Array<{ id: string }> = await tx.query(
          `SELECT id FROM notifications.shipments WHERE carrier = $1 AND tracking_number = $2`,
          [carrier, dto.trackingNumber],
        );
        throw new ShipmentExistsError(carrier, dto.trackingNumber, existing[0]!.id);
      }
      const shipment = await this.lock(tx, rows[0].id);
      await this.notify(tx, shipment, 'created', null, null);
      return shipment.id;
    });
    return this.view(id);
  }

  /**
   * A tracking event: stored once per eventId. It moves the current status only when it is not
   * older than the status it would replace (carriers deliver events late and out of order), and
   * each change of current status sends one notice, never two for the same status.
   */
  async addEvent(shipmentId: string, dto: ShipmentEventDto): Promise<ShipmentEventAcceptedDto> {
    return this.db.transaction(async (tx) => {
      const shipment = await this.lock(tx, shipmentId);
      const occurredAt = new Date(dto.occurredAt);
      const inserted: unknown[] = await tx.query(
        `INSERT INTO notifications.shipment_events (shipment_id, event_id, status, occurred_at, description)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shipment_id, event_id) DO NOTHING RETURNING 1`,
        [shipment.id, dto.eventId, dto.status, occurredAt, dto.description ?? null],
      );
      if (inserted.length === 0) return { accepted: false, status: shipment.status };
      const newer = !shipment.status_at || occurredAt.getTime() >= shipment.status_at.getTime();
      if (!newer || dto.status === shipment.status) {
        if (newer) await tx.query(`UPDATE notifications.shipments SET status_at = $2, updated_at = now() WHERE id = $1`, [shipment.id, occurredAt]);
        return { accepted: true, status: shipment.status };
      }
      await tx.query(`UPDATE notifications.shipments SET status = $2, status_at = $3, updated_at = now() WHERE id = $1`, [shipment.id, dto.status, occurredAt]);
      await this.outbox.enqueue(tx, 'shipment.status_changed', {
        shipmentId: shipment.id,
        orderExternalId: shipment.order_external_id,
        customerExternalId: shipment.customer_external_id,
        carrier: shipment.carrier,
        trackingNumber: shipment.tracking_number,
        trackingUrl: shipment.tracking_url,
        previousStatus: shipment.status,
        status: dto.status,
        description: dto.description ?? null,
        occurredAt,
      });
      await this.notify(tx, shipment, dto.status, dto.description ?? null, occurredAt);
      return { accepted: true, status: dto.status };
    });
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

  private async lock(tx: EntityManager, id: string): Promise<ShipmentRow> {
    const rows: ShipmentRow[] = await tx.query(
      `SELECT s.id, s.order_id, o.external_id AS order_external_id, o.customer_external_id, s.carrier, s.tracking_number, s.tracking_url, s.status, s.status_at
         FROM notifications.shipments s JOIN notifications.orders o ON o.id = s.order_id WHERE s.id = $1 FOR UPDATE OF s`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError('shipment', id);
    return rows[0];
  }

  private async notify(tx: EntityManager, s: ShipmentRow, status: ShipmentStatus, detail: string | null, occurredAt: Date | null): Promise<void> {
    const contact = await this.contacts.find(tx, s.customer_external_id);
    if (INCIDENTS.has(status)) {
      await this.outbox.enqueue(tx, 'shipment.incident', {
        shipmentId: s.id,
        orderExternalId: s.order_external_id,
        customerExternalId: s.customer_external_id,
        customerEmail: contact?.email ?? null,
        customerName: contact?.name ?? null,
        carrier: s.carrier,
        trackingNumber: s.tracking_number,
        trackingUrl: s.tracking_url,
        status: status as 'failed_attempt' | 'exception' | 'returned',
        description: detail,
        occurredAt: occurredAt ?? new Date(),
      });
    }
    const kind: MailKind | undefined = status === 'created' ? 'shipment_created' : NOTICE[status];
    if (!kind) return;
    await this.mail.queue(tx, {
      kind,
      dedupeKey: `shipment:${s.id}:${status}`,
      ...recipientFor(contact),
      customerExternalId: s.customer_external_id,
      shipmentId: s.id,
      params: {
        customerName: contact?.name ?? null,
        orderExternalId: s.order_external_id,
        carrierName: carrierDisplayName(s.carrier),
        trackingNumber: s.tracking_number,
        trackingUrl: s.tracking_url,
        status,
        description: detail,
        occurredAt: occurredAt ?? undefined,
      } as MailRequest['params'],
    });
  }
}
