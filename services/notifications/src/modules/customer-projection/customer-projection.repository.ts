import type { CustomerErasedPayload, CustomerUpsertedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomerProjectionRecord } from './customer-projection.record.js';

/**
 * The customer projection's columns for a statement that joins `notifications.customers AS c`
 * (LEFT JOIN: a customer may not be known yet); `toCustomerProjectionRecord` reads them back.
 * For the repositories whose hot reads take the customer along in the same round trip.
 */
export const CUSTOMER_PROJECTION_COLUMNS = `c.external_id AS projection_external_id, c.email AS projection_email, c.name AS projection_name,
  c.locale AS projection_locale, c.undeliverable_reason AS projection_undeliverable_reason, c.erased_at AS projection_erased_at`;

export interface CustomerProjectionColumns {
  projection_external_id: string | null;
  projection_email: string | null;
  projection_name: string | null;
  projection_locale: string | null;
  projection_undeliverable_reason: string | null;
  projection_erased_at: Date | null;
}

export function toCustomerProjectionRecord(row: CustomerProjectionColumns): CustomerProjectionRecord | null {
  if (!row.projection_external_id) return null;
  return {
    externalId: row.projection_external_id,
    email: row.projection_email,
    name: row.projection_name,
    locale: row.projection_locale,
    undeliverableReason: row.projection_undeliverable_reason,
    erasedAt: row.projection_erased_at,
  };
}

/** The customer projection (`notifications.customers`), kept from segmentation's `customer.upserted`. */
@Injectable()
export class CustomerProjectionRepository {
  /**
   * Applies a customer's contact data if it is newer than what is stored: events can arrive out
   * of order (retries, re-publishes), and the version makes applying them order-independent.
   * An erased customer's tombstone carries the erasure's version, so only a later upsert (the
   * shop creating the customer again) applies, and it ends the erasure.
   * Many upserts go as one statement (of several for one customer, the newest; rows in key order).
   */
  async apply(
    tx: EntityManager,
    customers: ReadonlyArray<Pick<CustomerUpsertedPayload, 'externalId' | 'email' | 'name' | 'locale' | 'version' | 'updatedAt'>>,
  ): Promise<void> {
    const newest = new Map<string, (typeof customers)[number]>();
    for (const c of customers) {
      const seen = newest.get(c.externalId);
      if (!seen || seen.version < c.version) newest.set(c.externalId, c);
    }
    const list = [...newest.values()];
    if (list.length === 0) return;
    await tx.query(
      `INSERT INTO notifications.customers AS p (external_id, email, name, locale, version, updated_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[])
           AS c(external_id, email, name, locale, version, updated_at)
        ORDER BY 1
       ON CONFLICT (external_id) DO UPDATE SET email = excluded.email, name = excluded.name, locale = excluded.locale,
         version = excluded.version, updated_at = excluded.updated_at,
         -- a new address may deliver again
         undeliverable_at = CASE WHEN lower(p.email) IS DISTINCT FROM lower(excluded.email) THEN NULL ELSE p.undeliverable_at END,
         undeliverable_reason = CASE WHEN lower(p.email) IS DISTINCT FROM lower(excluded.email) THEN NULL ELSE p.undeliverable_reason END,
         erased_at = NULL
       WHERE p.version < excluded.version`,
      [list.map((c) => c.externalId), list.map((c) => c.email), list.map((c) => c.name), list.map((c) => c.locale), list.map((c) => c.version), list.map((c) => c.updatedAt)],
    );
  }

  /**
   * Turns the customer into a tombstone: contact data and what was learnt about the address
   * (a bounce reason may quote it) emptied, the version raised to the erasure's, so upserts
   * older than the erasure still in queues find a newer row and change nothing. Inserted when
   * the customer was never seen, for the same reason. A projection already past the erasure's
   * version (the shop created the customer again, and that arrived first) keeps its data.
   */
  async erase(tx: EntityManager, e: Pick<CustomerErasedPayload, 'externalId' | 'version' | 'erasedAt'>): Promise<void> {
    await tx.query(
      `INSERT INTO notifications.customers AS p (external_id, version, erased_at, updated_at)
       VALUES ($1, $2, $3, now())
       ON CONFLICT (external_id) DO UPDATE SET email = NULL, name = NULL, locale = NULL,
         undeliverable_at = NULL, undeliverable_reason = NULL,
         version = excluded.version, erased_at = excluded.erased_at, updated_at = now()
       WHERE p.version < excluded.version`,
      [e.externalId, e.version, e.erasedAt],
    );
  }

  /** Customers whose address a permanent bounce named (lower-case) are not mailed again, for the reason given, until their address changes. */
  async markUndeliverable(tx: EntityManager, addresses: ReadonlyArray<{ address: string; reason: string }>, at: Date): Promise<void> {
    if (addresses.length === 0) return;
    await tx.query(
      `UPDATE notifications.customers c SET undeliverable_at = $3, undeliverable_reason = a.reason
         FROM unnest($1::text[], $2::text[]) AS a(address, reason)
        WHERE lower(c.email) = a.address AND c.erased_at IS NULL`,
      [addresses.map((a) => a.address), addresses.map((a) => a.reason), at],
    );
  }

  async find(tx: EntityManager, externalId: string | null): Promise<CustomerProjectionRecord | null> {
    if (!externalId) return null;
    const rows: CustomerProjectionColumns[] = await tx.query(
      `SELECT ${CUSTOMER_PROJECTION_COLUMNS} FROM notifications.customers c WHERE c.external_id = $1`,
      [externalId],
    );
    return rows[0] ? toCustomerProjectionRecord(rows[0]) : null;
  }
}
