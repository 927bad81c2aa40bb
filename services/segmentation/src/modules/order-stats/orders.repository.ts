import type { OrderRecordedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The orders the statistics and rules are computed from: the latest version of each, keyed by the shop's id. */
@Injectable()
export class OrdersRepository {
  /** Which customer an order is counted for now, locked (null for an order not seen yet). */
  async lockOwner(tx: EntityManager, externalId: string): Promise<{ customerId: string; version: number } | null> {
    const rows: Array<{ customer_id: string; version: number }> = await tx.query(
      `SELECT customer_id, version FROM segmentation.orders WHERE external_id = $1 FOR UPDATE`,
      [externalId],
    );
    return rows[0] ? { customerId: rows[0].customer_id, version: rows[0].version } : null;
  }

  /**
   * Stores the order if it is newer than what is stored: recorded twice counts once, and an
   * older version arriving late changes nothing. Returns whether it was written.
   */
  async upsert(tx: EntityManager, customerId: string, o: OrderRecordedPayload): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO segmentation.orders AS o (external_id, customer_id, channel, total, currency, placed_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (external_id) DO UPDATE SET
         customer_id = excluded.customer_id, channel = excluded.channel, total = excluded.total, currency = excluded.currency,
         placed_at = excluded.placed_at, version = excluded.version, recorded_at = now()
       WHERE o.version < excluded.version
       RETURNING 1`,
      [o.externalId, customerId, o.channel, o.total, o.currency, o.placedAt, o.version],
    );
    return rows.length > 0;
  }
}
