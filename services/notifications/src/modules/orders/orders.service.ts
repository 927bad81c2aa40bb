import { NotFoundError } from '@careflow/platform';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { OrderItemDto, OrderViewDto, RecordOrderDto, ShipmentViewDto } from './dto/order.dto.js';

interface OrderRow {
  id: string;
  external_id: string;
  customer_external_id: string;
  channel: 'online' | 'in_store';
  total: string;
  currency: string;
  placed_at: Date;
  items: OrderItemDto[];
  version: number;
  created_at: Date;
  updated_at: Date;
  cursor_at: string;
  inserted?: boolean;
}

/** Decimal strings as the API shows money: trailing zeros of numeric(18,4) trimmed to 2 places. */
export function money(value: string): string {
  const [whole, fraction = ''] = value.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole}.${trimmed.padEnd(2, '0')}`;
}

@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** Upsert by the shop's id; a change (or a new order) is announced for segment statistics. */
  async record(dto: RecordOrderDto): Promise<{ order: OrderViewDto; created: boolean }> {
    const result = await this.db.transaction(async (tx) => {
      const rows: OrderRow[] = await tx.query(
        `INSERT INTO notifications.orders AS o (external_id, customer_external_id, channel, total, currency, placed_at, items)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
         ON CONFLICT (external_id) DO UPDATE SET customer_external_id = excluded.customer_external_id, channel = excluded.channel,
           total = excluded.total, currency = excluded.currency, placed_at = excluded.placed_at, items = excluded.items,
           version = o.version + 1, updated_at = now()
         WHERE (o.customer_external_id, o.channel, o.total, o.currency, o.placed_at, o.items)
               IS DISTINCT FROM (excluded.customer_external_id, excluded.channel, excluded.total, excluded.currency, excluded.placed_at, excluded.items)
         RETURNING *, created_at::text AS cursor_at, (xmax = 0) AS inserted`,
        [dto.externalId, dto.customerExternalId, dto.channel, dto.total, dto.currency, dto.placedAt, JSON.stringify(dto.items)],
      );
      const row = rows[0];
      if (row) {
        await this.outbox.enqueue(tx, 'order.recorded', {
          externalId: row.external_id,
          customerExternalId: row.customer_external_id,
          channel: row.channel,
          total: money(row.total),
          currency: row.currency,
          placedAt: row.placed_at,
          version: row.version,
        });
      }
      return { created: row?.inserted === true };
    });
    return { order: await this.get(dto.externalId), created: result.created };
  }

  async get(externalId: string, tx: EntityManager = this.db.manager): Promise<OrderViewDto> {
    const rows: OrderRow[] = await tx.query(`SELECT *, created_at::text AS cursor_at FROM notifications.orders WHERE external_id = $1`, [externalId]);
    if (!rows[0]) throw new NotFoundError('order', externalId);
    const [view] = await this.views(tx, rows);
    return view!;
  }

  async list(customerExternalId: string | undefined, limit: number, cursor?: string): Promise<Page<OrderViewDto>> {
    const [after, afterId] = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : [null, null];
    const rows: OrderRow[] = await this.db.query(
      `SELECT *, created_at::text AS cursor_at FROM notifications.orders
        WHERE ($1::text IS NULL OR customer_external_id = $1)
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [customerExternalId ?? null, after, afterId, limit + 1],
    );
    const page = toPage(rows, limit, (r) => [r.cursor_at, r.id], (r) => r);
    return { data: await this.views(this.db.manager, page.data), nextCursor: page.nextCursor };
  }

  /** Orders with their shipments and each shipment's events, in three queries for any number of orders. */
  private async views(tx: EntityManager, orders: OrderRow[]): Promise<OrderViewDto[]> {
    if (orders.length === 0) return [];
    const shipments: Array<Record<string, unknown>> = await tx.query(
      `SELECT s.*, o.external_id AS order_external_id FROM notifications.shipments s JOIN notifications.orders o ON o.id = s.order_id
        WHERE s.order_id = ANY($1::uuid[]) ORDER BY s.created_at, s.id`,
      [orders.map((o) => o.id)],
    );
    const events: Array<Record<string, unknown>> = shipments.length
      ? await tx.query(
          `SELECT * FROM notifications.shipment_events WHERE shipment_id = ANY($1::uuid[]) ORDER BY occurred_at, received_at`,
          [shipments.map((s) => s['id'])],
        )
      : [];
    return orders.map((o) => ({
      externalId: o.external_id,
      customerExternalId: o.customer_external_id,
      channel: o.channel,
      total: money(o.total),
      currency: o.currency,
      placedAt: o.placed_at.toISOString(),
      items: o.items,
      shipments: shipments.filter((s) => s['order_id'] === o.id).map((s) => shipmentView(s, events)),
      createdAt: o.created_at.toISOString(),
      updatedAt: o.updated_at.toISOString(),
    }));
  }
}

export function shipmentView(s: Record<string, unknown>, events: Array<Record<string, unknown>>): ShipmentViewDto {
  return {
    id: s['id'] as string,
    orderExternalId: s['order_external_id'] as string,
    carrier: s['carrier'] as string,
    trackingNumber: s['tracking_number'] as string,
    trackingUrl: s['tracking_url'] as string | null,
    status: s['status'] as string,
    items: s['items'] as OrderItemDto[],
    events: events
      .filter((e) => e['shipment_id'] === s['id'])
      .map((e) => ({
        eventId: e['event_id'] as string,
        status: e['status'] as string,
        occurredAt: (e['occurred_at'] as Date).toISOString(),
        description: e['description'] as string | null,
        receivedAt: (e['received_at'] as Date).toISOString(),
      })),
    createdAt: (s['created_at'] as Date).toISOString(),
    updatedAt: (s['updated_at'] as Date).toISOString(),
  };
}
