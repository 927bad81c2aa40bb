import type { CustomerSegmentChangedPayload, CustomerUpsertedPayload, Segment } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomerProjectionRecord } from './customer-projection.record.js';

/**
 * The tickets service's copy of the customers the segmentation service owns (the customer
 * projection, as notifications keeps one too), kept current from its events.
 */
@Injectable()
export class CustomerProjectionRepository {
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

  /** Applies a segment change if newer; returns whether the primary segment changed. */
  async applySegment(tx: EntityManager, s: CustomerSegmentChangedPayload): Promise<{ applied: boolean; previous: Segment | null }> {
    const before: Array<{ segment: Segment | null }> = await tx.query(
      `SELECT segment FROM tickets.customers WHERE external_id = $1 FOR UPDATE`,
      [s.externalId],
    );
    const rows: unknown[] = await tx.query(
      `INSERT INTO tickets.customers AS p (external_id, tags, version, updated_at, segment, segments, segment_version)
       VALUES ($1, '{}', 0, now(), $2, $3, $4)
       ON CONFLICT (external_id) DO UPDATE SET segment = excluded.segment, segments = excluded.segments, segment_version = excluded.segment_version
       WHERE p.segment_version < excluded.segment_version
       RETURNING 1`,
      [s.externalId, s.segment, s.segments, s.version],
    );
    return { applied: rows.length > 0, previous: before[0]?.segment ?? null };
  }

  /** The customer a ticket is about: by the shop's id, else by e-mail when that is unambiguous. */
  async find(tx: EntityManager, externalId: string | undefined | null, email: string | null): Promise<CustomerProjectionRecord | null> {
    type Row = { external_id: string; email: string | null; name: string | null; locale: string | null; segment: Segment | null };
    const rows: Row[] = externalId
      ? await tx.query(`SELECT external_id, email, name, locale, segment FROM tickets.customers WHERE external_id = $1`, [externalId])
      : email
        ? await tx.query(`SELECT external_id, email, name, locale, segment FROM tickets.customers WHERE lower(email) = lower($1) LIMIT 2`, [email])
        : [];
    if (rows.length !== 1) return null;
    const r = rows[0]!;
    return { externalId: r.external_id, email: r.email, name: r.name, locale: r.locale, segment: r.segment };
  }
}
