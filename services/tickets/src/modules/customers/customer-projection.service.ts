import type { CustomerUpsertedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class CustomerProjectionService {
  /**
   * Applies a customer's contact data if it is newer than what is stored. Events can arrive
   * out of order (retries, re-publishes); the version makes applying them order-independent.
   */
  async apply(tx: EntityManager, c: CustomerUpsertedPayload): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO tickets.customers AS p (external_id, email, name, phone, locale, tags, vip, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (external_id) DO UPDATE SET
         email = excluded.email, name = excluded.name, phone = excluded.phone, locale = excluded.locale,
         tags = excluded.tags, vip = excluded.vip, version = excluded.version, updated_at = excluded.updated_at
       WHERE p.version < excluded.version
       RETURNING 1`,
      [c.externalId, c.email, c.name, c.phone, c.locale, c.tags, c.vip, c.version, c.updatedAt],
    );
    return rows.length > 0;
  }
}
