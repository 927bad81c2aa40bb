import type { OrderChannel } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { NewOrder, OrderItem, OrderRecord } from './order.record.js';

interface OrderRow {
  id: string;
  external_id: string;
  customer_external_id: string;
  channel: OrderChannel;
  total: string;
  currency: string;
  placed_at: Date;
  items: OrderItem[];
  version: number;
  created_at: Date;
  updated_at: Date;
  cursor_at: string;
}

function toRecord(r: OrderRow): OrderRecord {
  return {
    id: r.id,
    externalId: r.external_id,
    customerExternalId: r.customer_external_id,
    channel: r.channel,
    total: r.total,
    currency: r.currency,
    placedAt: r.placed_at,
    items: r.items,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdCursor: r.cursor_at,
  };
}

/** Where a page of orders continues: after this order (newest first). */
export interface OrderCursor {
  /** created_at at full precision, as `createdCursor` gave it. */
  createdAt: string;
  id: string;
}

/** Orders as the shop records them (`notifications.orders`). */
@Injectable()
export class OrdersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts the order or replaces it by its external id, counting a version; an order sent
   * again unchanged is left alone and null is returned (nothing to announce).
   */
  async upsert(tx: EntityManager, o: NewOrder): Promise<{ order: OrderRecord; inserted: boolean } | null> {
    const rows: Array<OrderRow & { inserted: boolean }> = await tx.query(
      `INSERT INTO notifications.orders AS o (external_id, customer_external_id, channel, total, currency, placed_at, items)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
       ON CONFLICT (external_id) DO UPDATE SET customer_external_id = excluded.customer_external_id, channel = excluded.channel,
         total = excluded.total, currency = excluded.currency, placed_at = excluded.placed_at, items = excluded.items,
         version = o.version + 1, updated_at = now()
       WHERE (o.customer_external_id, o.channel, o.total, o.currency, o.placed_at, o.items)
             IS DISTINCT FROM (excluded.customer_external_id, excluded.channel, excluded.total, excluded.currency, excluded.placed_at, excluded.items)
       RETURNING *, created_at::text AS cursor_at, (xmax = 0) AS inserted`,
      [o.externalId, o.customerExternalId, o.channel, o.total, o.currency, o.placedAt, JSON.stringify(o.items)],
    );
    const row = rows[0];
    return row ? { order: toRecord(row), inserted: row.inserted } : null;
  }

  async findByExternalId(externalId: string): Promise<OrderRecord | null> {
    const rows: OrderRow[] = await this.db.query(`SELECT *, created_at::text AS cursor_at FROM notifications.orders WHERE external_id = $1`, [externalId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first, of one customer or of all: at most `limit` orders after `cursor`. */
  async list(customerExternalId: string | null, cursor: OrderCursor | null, limit: number): Promise<OrderRecord[]> {
    const rows: OrderRow[] = await this.db.query(
      `SELECT *, created_at::text AS cursor_at FROM notifications.orders
        WHERE ($1::text IS NULL OR customer_external_id = $1)
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [customerExternalId, cursor?.createdAt ?? null, cursor?.id ?? null, limit],
    );
    return rows.map(toRecord);
  }
}
