import type { CustomerErasedPayload, CustomerSegmentChangedPayload, CustomerUpsertedPayload, Segment } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { storedCarePolicy, ticketCarePolicy, type TicketCarePolicy } from '../sla/priority-policy.js';
import type { CustomerProjectionRecord, ErasedCustomerRecord } from './customer-projection.record.js';

/**
 * The tickets service's copy of the customers the segmentation service owns (the customer
 * projection, as notifications keeps one too), kept current from its events.
 */
@Injectable()
export class CustomerProjectionRepository {
  /**
   * Applies a customer's contact data if it is newer than what is stored. Events can arrive
   * out of order (retries, re-publishes); the version makes applying them order-independent.
   * An erased customer's tombstone carries the erasure's version, so only a later upsert (the
   * shop creating the customer again) applies, and it ends the erasure.
   * Many upserts go as one statement (of several for one customer, the newest; rows in key order).
   */
  async apply(tx: EntityManager, customers: readonly CustomerUpsertedPayload[]): Promise<void> {
    const list = newestPerCustomer(customers);
    if (list.length === 0) return;
    await tx.query(
      `INSERT INTO tickets.customers AS p (external_id, email, name, phone, locale, tags, vip, version, updated_at)
       SELECT c.external_id, c.email, c.name, c.phone, c.locale, ARRAY(SELECT jsonb_array_elements_text(c.tags)), c.vip, c.version, c.updated_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::bool[], $8::bigint[], $9::timestamptz[])
           AS c(external_id, email, name, phone, locale, tags, vip, version, updated_at)
        ORDER BY c.external_id
       ON CONFLICT (external_id) DO UPDATE SET
         email = excluded.email, name = excluded.name, phone = excluded.phone, locale = excluded.locale,
         tags = excluded.tags, vip = excluded.vip, version = excluded.version, updated_at = excluded.updated_at,
         erased_at = NULL
       WHERE p.version < excluded.version`,
      [
        list.map((c) => c.externalId),
        list.map((c) => c.email),
        list.map((c) => c.name),
        list.map((c) => c.phone),
        list.map((c) => c.locale),
        list.map((c) => JSON.stringify(c.tags)),
        list.map((c) => c.vip),
        list.map((c) => c.version),
        list.map((c) => c.updatedAt),
      ],
    );
  }

  /**
   * Applies segment changes (with their care policies) where newer, at most one per customer,
   * in two statements however many: the customers' rows locked (in key order) and read, then
   * written. Returns, per customer, whether it applied, and the primary segment and care policy
   * before it.
   */
  async applySegments(
    tx: EntityManager,
    changes: readonly CustomerSegmentChangedPayload[],
  ): Promise<Map<string, { applied: boolean; previous: Segment | null; previousPolicy: TicketCarePolicy | null }>> {
    const ids = changes.map((s) => s.externalId);
    if (new Set(ids).size !== ids.length) throw new Error('applySegments takes one change per customer');
    const before: Array<{ external_id: string; segment: Segment | null; priority_bump: number | null; sla_policy: Segment | null }> = await tx.query(
      `SELECT external_id, segment, priority_bump, sla_policy FROM tickets.customers WHERE external_id = ANY($1::text[]) ORDER BY external_id FOR UPDATE`,
      [ids],
    );
    const policies = changes.map((s) => ticketCarePolicy(s.policy));
    const applied: Array<{ external_id: string }> = await tx.query(
      `INSERT INTO tickets.customers AS p (external_id, tags, version, updated_at, segment, segments, segment_version, priority_bump, sla_policy)
       SELECT s.external_id, '{}', 0, now(), s.segment, ARRAY(SELECT jsonb_array_elements_text(s.segments)), s.version, s.priority_bump, s.sla_policy
         FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bigint[], $5::int[], $6::text[])
           AS s(external_id, segment, segments, version, priority_bump, sla_policy)
        ORDER BY s.external_id
       ON CONFLICT (external_id) DO UPDATE SET segment = excluded.segment, segments = excluded.segments, segment_version = excluded.segment_version,
         priority_bump = excluded.priority_bump, sla_policy = excluded.sla_policy
       WHERE p.segment_version < excluded.segment_version
       RETURNING external_id`,
      [
        ids,
        changes.map((s) => s.segment),
        changes.map((s) => JSON.stringify(s.segments)),
        changes.map((s) => s.version),
        policies.map((p) => p?.priorityBump ?? null),
        policies.map((p) => p?.slaPolicy ?? null),
      ],
    );
    const was = new Map(before.map((r) => [r.external_id, r]));
    const done = new Set(applied.map((r) => r.external_id));
    return new Map(
      ids.map((id) => {
        const previous = was.get(id);
        return [id, { applied: done.has(id), previous: previous?.segment ?? null, previousPolicy: storedCarePolicy(previous?.priority_bump ?? null, previous?.sla_policy ?? null) }];
      }),
    );
  }

  /**
   * Turns the customer into a tombstone: every personal field emptied, the versions raised to
   * the erasure's, so upserts and segment changes older than the erasure that are still in
   * queues find a newer row and change nothing. Inserted when the customer was never seen, for
   * the same reason. A projection already past the erasure's version (the shop created the
   * customer again, and that arrived first) keeps its data. Returns what the projection knew
   * before, for finding those details in free text.
   */
  async erase(tx: EntityManager, e: CustomerErasedPayload): Promise<ErasedCustomerRecord | null> {
    const before: ErasedCustomerRecord[] = await tx.query(
      `SELECT email, name, phone FROM tickets.customers WHERE external_id = $1 AND version < $2 FOR UPDATE`,
      [e.externalId, e.version],
    );
    await tx.query(
      `INSERT INTO tickets.customers AS p (external_id, tags, version, segment_version, erased_at, updated_at)
       VALUES ($1, '{}', $2, $3, $4, now())
       ON CONFLICT (external_id) DO UPDATE SET
         email = NULL, name = NULL, phone = NULL, locale = NULL, tags = '{}', vip = NULL,
         version = excluded.version, erased_at = excluded.erased_at, updated_at = now(),
         -- segments are about the person too, unless a segment change newer than the erasure came first
         segment = CASE WHEN p.segment_version < excluded.segment_version THEN NULL ELSE p.segment END,
         segments = CASE WHEN p.segment_version < excluded.segment_version THEN '{}' ELSE p.segments END,
         priority_bump = CASE WHEN p.segment_version < excluded.segment_version THEN NULL ELSE p.priority_bump END,
         sla_policy = CASE WHEN p.segment_version < excluded.segment_version THEN NULL ELSE p.sla_policy END,
         segment_version = GREATEST(p.segment_version, excluded.segment_version)
       WHERE p.version < excluded.version`,
      [e.externalId, e.version, e.segmentVersion, e.erasedAt],
    );
    return before[0] ?? null;
  }

  /** The customer a ticket is about: by the shop's id, else by e-mail when that is unambiguous. */
  async find(tx: EntityManager, externalId: string | undefined | null, email: string | null): Promise<CustomerProjectionRecord | null> {
    const rows: ProjectionRow[] = externalId
      ? await tx.query(`SELECT ${PROJECTION_COLUMNS} FROM tickets.customers WHERE external_id = $1`, [externalId])
      : email
        ? await tx.query(`SELECT ${PROJECTION_COLUMNS} FROM tickets.customers WHERE lower(email) = lower($1) LIMIT 2`, [email])
        : [];
    return rows.length === 1 ? toProjection(rows[0]!) : null;
  }

  /**
   * `find` by address for many addresses at once: per lower-cased address, the one customer
   * with it, or null when none or several have it.
   */
  async findByEmails(tx: EntityManager, emails: readonly string[]): Promise<Map<string, CustomerProjectionRecord | null>> {
    const keys = [...new Set(emails.map((e) => e.toLowerCase()))];
    const found = new Map<string, CustomerProjectionRecord | null>(keys.map((k) => [k, null]));
    if (keys.length === 0) return found;
    const rows: Array<ProjectionRow & { key: string; n: number }> = await tx.query(
      `SELECT lower(email) AS key, count(*) OVER (PARTITION BY lower(email))::int AS n, ${PROJECTION_COLUMNS}
         FROM tickets.customers WHERE lower(email) = ANY($1::text[])`,
      [keys],
    );
    for (const r of rows) if (r.n === 1) found.set(r.key, toProjection(r));
    return found;
  }
}

type ProjectionRow = {
  external_id: string;
  email: string | null;
  name: string | null;
  locale: string | null;
  segment: Segment | null;
  priority_bump: number | null;
  sla_policy: Segment | null;
  erased_at: Date | null;
};

const PROJECTION_COLUMNS = `external_id, email, name, locale, segment, priority_bump, sla_policy, erased_at`;

function toProjection(r: ProjectionRow): CustomerProjectionRecord {
  return {
    externalId: r.external_id,
    email: r.email,
    name: r.name,
    locale: r.locale,
    segment: r.segment,
    carePolicy: storedCarePolicy(r.priority_bump, r.sla_policy),
    erasedAt: r.erased_at,
  };
}

/** Of several upserts of one customer, the newest (one statement may change a row once). */
function newestPerCustomer<T extends { externalId: string; version: number }>(customers: readonly T[]): T[] {
  const newest = new Map<string, T>();
  for (const c of customers) {
    const seen = newest.get(c.externalId);
    if (!seen || seen.version < c.version) newest.set(c.externalId, c);
  }
  return [...newest.values()];
}
