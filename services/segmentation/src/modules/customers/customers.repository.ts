import type { Segment } from '@careflow/contracts';
import { decodeCursor, type Page, toPage } from '@careflow/http';
import { SqlParams } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { CustomerFields, CustomerOrigin, CustomerRecord } from './customer.record.js';

interface CustomerRow {
  id: string;
  external_id: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  locale: string | null;
  tags: string[];
  vip: boolean | null;
  segment_override: Segment | null;
  origin: CustomerOrigin;
  segment: Segment | null;
  segments: string[];
  segment_version: number;
  orders_count: number;
  online_orders: number;
  in_store_orders: number;
  total_spent: Record<string, string>;
  first_order_at: Date | null;
  last_order_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  /** The creation time with microseconds, for cursors (a JS Date keeps milliseconds). */
  created_cursor: string;
}

/** The customer's columns with their memberships: for statements reading `customers c LEFT JOIN memberships m` (MEMBERSHIP_JOIN). */
const COLUMNS = `c.id, c.external_id, c.email, c.name, c.phone, c.locale, c.tags, c.vip, c.segment_override, c.origin,
  m.segment, coalesce(m.segments, '{}') AS segments, coalesce(m.version, c.segment_version_base) AS segment_version, c.orders_count, c.online_orders, c.in_store_orders, c.total_spent,
  c.first_order_at, c.last_order_at, c.version, c.created_at, c.updated_at, c.created_at::text AS created_cursor`;

const FROM = `segmentation.customers c LEFT JOIN segmentation.memberships m ON m.customer_id = c.id`;

function toRecord(row: CustomerRow): CustomerRecord {
  return {
    id: row.id,
    externalId: row.external_id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    locale: row.locale,
    tags: row.tags,
    vip: row.vip,
    segmentOverride: row.segment_override,
    origin: row.origin,
    segment: row.segment,
    segments: row.segments,
    segmentVersion: row.segment_version,
    stats: {
      ordersCount: row.orders_count,
      totalSpent: row.total_spent,
      firstOrderAt: row.first_order_at,
      lastOrderAt: row.last_order_at,
      onlineOrders: row.online_orders,
      inStoreOrders: row.in_store_orders,
    },
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export interface CustomerFilter {
  segment?: string;
  q?: string;
  email?: string;
  tag?: string;
  limit: number;
  cursor?: string;
}

/** What an erasure leaves for the event (the versions to go beyond, hashes of the addresses), and what was erased. */
export interface ErasedCustomer {
  externalId: string;
  version: number;
  segmentVersion: number;
  emailHashes: string[];
  /** The personal data the row held (address, name, phone), for the gateway to find its copies in stored responses. */
  personalData: string[];
}

const OUTBOX = 'segmentation.outbox';
const EMAIL_HASH = `encode(sha256(convert_to(lower(btrim(c.email)), 'UTF8')), 'hex')`;

@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts or replaces the customer in one statement. A PUT that changes nothing leaves
   * the row (and its version) alone, so no event is announced for it. A customer the shop
   * erased and now creates again continues the versions of the erased one (their events are
   * ordered after the erasure's by every projection).
   */
  async upsert(tx: EntityManager, externalId: string, f: CustomerFields): Promise<{ customer: CustomerRecord; outcome: UpsertOutcome; inputsChanged: boolean }> {
    // The written row comes back whole (the outer SELECT would see the customer as it was before the statement).
    const rows: Array<CustomerRow & { inserted: boolean; inputs_changed: boolean }> = await tx.query(
      `WITH erased AS (
         DELETE FROM segmentation.erased_customers WHERE external_id = $1 RETURNING version, segment_version
       ), previous AS (
         SELECT tags, vip, segment_override FROM segmentation.customers WHERE external_id = $1 FOR UPDATE
       ), written AS (
         INSERT INTO segmentation.customers AS c (external_id, email, name, phone, locale, tags, vip, segment_override, origin, version, segment_version_base)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, 'api', coalesce((SELECT version FROM erased), 0) + 1, coalesce((SELECT segment_version FROM erased), 0)
         ON CONFLICT (external_id) DO UPDATE SET
           email = excluded.email, name = excluded.name, phone = excluded.phone,
           locale = excluded.locale, tags = excluded.tags, vip = excluded.vip, segment_override = excluded.segment_override,
           origin = 'api', version = c.version + 1, updated_at = now(),
           inputs_version = c.inputs_version + CASE WHEN (c.tags, c.vip, c.segment_override)
             IS DISTINCT FROM (excluded.tags, excluded.vip, excluded.segment_override) THEN 1 ELSE 0 END
         WHERE (c.email, c.name, c.phone, c.locale, c.tags, c.vip, c.segment_override, c.origin)
               IS DISTINCT FROM (excluded.email, excluded.name, excluded.phone, excluded.locale, excluded.tags, excluded.vip, excluded.segment_override, 'api')
         RETURNING c.*, (xmax = 0) AS inserted
       )
       SELECT ${COLUMNS}, c.inserted, (p.tags, p.vip, p.segment_override) IS DISTINCT FROM (c.tags, c.vip, c.segment_override) AS inputs_changed
         FROM written c LEFT JOIN segmentation.memberships m ON m.customer_id = c.id LEFT JOIN previous p ON true`,
      [externalId, f.email, f.name, f.phone, f.locale, f.tags, f.vip, f.segmentOverride],
    );
    const row = rows[0];
    const customer = row ? toRecord(row) : await this.findByExternalId(externalId, tx);
    if (!customer) throw new Error(`customer ${externalId} vanished during upsert`);
    if (!row) return { customer, outcome: 'unchanged', inputsChanged: false };
    return { customer, outcome: row.inserted ? 'created' : 'updated', inputsChanged: row.inserted || row.inputs_changed };
  }

  /**
   * A customer met on a ticket or in a mail: found by the shop's id, else by address (when
   * exactly one customer has it), else created. An existing customer only gains the contact
   * fields it lacks: what the shop PUT is never overwritten. Erased customers are not brought
   * back by their id. Returns the customer and whether anything was written.
   */
  async observe(
    tx: EntityManager,
    o: { externalId: string | null; email: string | null; name: string | null; origin: CustomerOrigin },
  ): Promise<{ customer: CustomerRecord; outcome: UpsertOutcome } | null> {
    if (!o.externalId && !o.email) return null;
    if (o.externalId) {
      const erased: unknown[] = await tx.query(`SELECT 1 FROM segmentation.erased_customers WHERE external_id = $1`, [o.externalId]);
      if (erased.length) return null;
    }
    const matches: Array<{ id: string }> = o.externalId
      ? await tx.query(`SELECT id FROM segmentation.customers WHERE external_id = $1 FOR UPDATE`, [o.externalId])
      : await tx.query(`SELECT id FROM segmentation.customers WHERE lower(email) = lower($1) ORDER BY created_at LIMIT 2 FOR UPDATE`, [o.email]);
    if (matches.length > 1) return null;
    if (matches.length === 1) {
      // A bare UPDATE answers [rows, count] through TypeORM, never an empty list: the count is read in SQL.
      const [{ updated }]: Array<{ updated: boolean }> = await tx.query(
        `WITH u AS (
           UPDATE segmentation.customers c
              SET email = coalesce(c.email, $2), name = coalesce(c.name, $3), version = c.version + 1, updated_at = now()
            WHERE c.id = $1 AND ((c.email IS NULL AND $2::text IS NOT NULL) OR (c.name IS NULL AND $3::text IS NOT NULL))
            RETURNING 1
         )
         SELECT EXISTS (SELECT 1 FROM u) AS updated`,
        [matches[0]!.id, o.email, o.name],
      );
      const customer = await this.findById(tx, matches[0]!.id);
      return customer ? { customer, outcome: updated ? 'updated' : 'unchanged' } : null;
    }
    // Without the shop's id, one is derived from the address: the same for every ticket of that
    // address (so concurrent observations create one customer), with no personal data in it
    // (ids outlive an erasure in tombstones). The shop finds such customers by `?email=`.
    const externalId = o.externalId ?? derivedExternalId(o.email!.trim().toLowerCase());
    const [created] = await this.insertObserved(tx, [{ externalId, email: o.email, name: o.name, origin: o.origin }]);
    if (created) return { customer: created, outcome: 'created' };
    const existing = await this.findByExternalId(externalId, tx);
    return existing ? { customer: existing, outcome: 'unchanged' } : null;
  }

  /**
   * `observe` for many customers at once (a batch of tickets or mail). Customers met by address
   * alone whom nobody holds yet (the common case: a new sender) are created by one statement,
   * after one locked lookup of all their addresses; every other observation (the shop's id, an
   * address someone holds, two observations of one new address) goes through `observe`, one by
   * one, after them. Results in the order given.
   */
  async observeMany(
    tx: EntityManager,
    observations: ReadonlyArray<{ externalId: string | null; email: string | null; name: string | null; origin: CustomerOrigin }>,
  ): Promise<Array<{ customer: CustomerRecord; outcome: UpsertOutcome } | null>> {
    const results: Array<{ customer: CustomerRecord; outcome: UpsertOutcome } | null> = observations.map(() => null);
    const byAddress = observations.flatMap((o, i) => (!o.externalId && o.email ? [{ o, i, key: o.email.trim().toLowerCase() }] : []));
    const held: Array<{ key: string }> = byAddress.length
      ? await tx.query(
          `SELECT lower(email) AS key FROM segmentation.customers WHERE lower(email) = ANY($1::text[]) ORDER BY id FOR UPDATE`,
          [[...new Set(byAddress.map((a) => a.key))]],
        )
      : [];
    const taken = new Set(held.map((h) => h.key));
    const fresh: typeof byAddress = [];
    for (const a of byAddress) {
      if (taken.has(a.key)) continue;
      taken.add(a.key);
      fresh.push(a);
    }
    const created = await this.insertObserved(
      tx,
      fresh.map((a) => ({ externalId: derivedExternalId(a.key), email: a.o.email, name: a.o.name, origin: a.o.origin })),
    );
    for (const [k, a] of fresh.entries()) {
      const customer = created[k];
      if (customer) results[a.i] = { customer, outcome: 'created' };
    }
    const done = new Set(results.flatMap((r, i) => (r ? [i] : [])));
    for (const [i, o] of observations.entries()) if (!done.has(i)) results[i] = await this.observe(tx, o);
    return results;
  }

  /**
   * Creates observed customers in one statement; per row, the customer created, or null when
   * one with that id exists already (created meanwhile). A derived id that meets a tombstone
   * (the person wrote again after an erasure) continues above the erased versions.
   */
  private async insertObserved(
    tx: EntityManager,
    rows: ReadonlyArray<{ externalId: string; email: string | null; name: string | null; origin: CustomerOrigin }>,
  ): Promise<Array<CustomerRecord | null>> {
    if (rows.length === 0) return [];
    const inserted: Array<{ id: string }> = await tx.query(
      `WITH v AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS v(external_id, email, name, origin, n)
       ), erased AS (
         DELETE FROM segmentation.erased_customers e USING v WHERE e.external_id = v.external_id RETURNING e.external_id, e.version, e.segment_version
       )
       INSERT INTO segmentation.customers AS c (external_id, email, name, origin, version, segment_version_base)
       SELECT v.external_id, v.email, v.name, v.origin, coalesce(er.version, 0) + 1, coalesce(er.segment_version, 0)
         FROM v LEFT JOIN erased er USING (external_id) ORDER BY v.n
       ON CONFLICT (external_id) DO NOTHING
       RETURNING c.id`,
      [rows.map((r) => r.externalId), rows.map((r) => r.email), rows.map((r) => r.name), rows.map((r) => r.origin)],
    );
    if (inserted.length === 0) return rows.map(() => null);
    const found: CustomerRow[] = await tx.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE c.id = ANY($1::uuid[])`, [inserted.map((r) => r.id)]);
    const byExternalId = new Map(found.map((r) => [r.external_id, toRecord(r)]));
    return rows.map((r) => byExternalId.get(r.externalId) ?? null);
  }

  /**
   * Locks the customer an order belongs to, creating a bare one (no contact data yet) for an
   * id the shop has not PUT. Null for an erased customer: their orders are not counted.
   */
  async lockForOrder(tx: EntityManager, externalId: string): Promise<{ id: string; created: boolean } | null> {
    const existing: Array<{ id: string }> = await tx.query(`SELECT id FROM segmentation.customers WHERE external_id = $1 FOR UPDATE`, [externalId]);
    if (existing[0]) return { id: existing[0].id, created: false };
    const erased: unknown[] = await tx.query(`SELECT 1 FROM segmentation.erased_customers WHERE external_id = $1`, [externalId]);
    if (erased.length) return null;
    const inserted: Array<{ id: string }> = await tx.query(
      `INSERT INTO segmentation.customers (external_id, origin) VALUES ($1, 'order') ON CONFLICT (external_id) DO NOTHING RETURNING id`,
      [externalId],
    );
    if (inserted[0]) return { id: inserted[0].id, created: true };
    // Created by a concurrent transaction since the first look: wait for it and take its row.
    const raced: Array<{ id: string }> = await tx.query(`SELECT id FROM segmentation.customers WHERE external_id = $1 FOR UPDATE`, [externalId]);
    return raced[0] ? { id: raced[0].id, created: false } : null;
  }

  /** Locks customers in id order (a fixed order, so two transactions never wait on each other). */
  async lockIds(tx: EntityManager, ids: readonly string[]): Promise<void> {
    await tx.query(`SELECT 1 FROM segmentation.customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  async findByExternalId(externalId: string, tx: EntityManager = this.db.manager): Promise<CustomerRecord | null> {
    const rows: CustomerRow[] = await tx.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE c.external_id = $1`, [externalId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findById(tx: EntityManager, id: string): Promise<CustomerRecord | null> {
    const rows: CustomerRow[] = await tx.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE c.id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first, keyset-paginated on (created_at, id). `q` matches name and address, accents and case ignored. */
  async list(f: CustomerFilter): Promise<Page<CustomerRecord>> {
    const q = new SqlParams();
    const where: string[] = [];
    if (f.segment) where.push(`m.segments @> ARRAY[${q.add(f.segment)}::text]`);
    if (f.tag) where.push(`c.tags @> ARRAY[${q.add(f.tag)}::text]`);
    if (f.email) where.push(`lower(c.email) = lower(${q.add(f.email)})`);
    // Every word of `q` somewhere in the name or address ("nguyen lan" finds "Nguyễn Thị Lan").
    for (const word of (f.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
      const escaped = word.replace(/[\\%_]/g, (ch) => `\\${ch}`);
      where.push(`c.search LIKE '%' || segmentation.search_text(${q.add(escaped)}) || '%'`);
    }
    if (f.cursor) {
      const [createdAt, id] = decodeCursor(f.cursor, ['timestamp', 'uuid']);
      where.push(`(c.created_at, c.id) < (${q.add(createdAt)}::timestamptz, ${q.add(id)}::uuid)`);
    }
    const rows: CustomerRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.created_at DESC, c.id DESC LIMIT ${q.add(f.limit + 1)}`,
      q.values,
    );
    return toPage(rows, f.limit, (r) => [r.created_cursor, r.id], toRecord);
  }

  /**
   * Recomputes a customer's statistics from their orders (under the caller's lock on the
   * customer, so concurrent orders of one customer are counted exactly), and counts the change
   * of the rules' inputs.
   */
  async refreshStats(tx: EntityManager, customerIds: readonly string[]): Promise<void> {
    await tx.query(
      `UPDATE segmentation.customers c SET
         orders_count = coalesce(s.orders_count, 0), online_orders = coalesce(s.online_orders, 0),
         in_store_orders = coalesce(s.in_store_orders, 0), total_spent = coalesce(s.total_spent, '{}'),
         first_order_at = s.first_order_at, last_order_at = s.last_order_at, inputs_version = c.inputs_version + 1
         FROM (SELECT id FROM unnest($1::uuid[]) AS id) ids
         LEFT JOIN LATERAL (
           SELECT count(*)::int AS orders_count,
                  count(*) FILTER (WHERE o.channel = 'online')::int AS online_orders,
                  count(*) FILTER (WHERE o.channel = 'in_store')::int AS in_store_orders,
                  min(o.placed_at) AS first_order_at, max(o.placed_at) AS last_order_at,
                  (SELECT jsonb_object_agg(t.currency, trim_scale(t.total)::text)
                     FROM (SELECT currency, sum(total) AS total FROM segmentation.orders WHERE customer_id = ids.id GROUP BY currency) t) AS total_spent
             FROM segmentation.orders o WHERE o.customer_id = ids.id
         ) s ON true
        WHERE c.id = ids.id`,
      [customerIds],
    );
  }

  /**
   * Erases a customer: the row and its orders go, a tombstone stays with the versions their
   * events reached (the erasure event goes beyond them). Null when no such customer exists.
   */
  async erase(tx: EntityManager, externalId: string): Promise<ErasedCustomer | null> {
    const rows: Array<{ external_id: string; version: number; segment_version: number; email_hash: string | null; email: string | null; name: string | null; phone: string | null }> = await tx.query(
      `WITH memberships AS (
         SELECT m.version FROM segmentation.memberships m JOIN segmentation.customers c ON c.id = m.customer_id WHERE c.external_id = $1
       ), gone AS (
         DELETE FROM segmentation.customers c WHERE c.external_id = $1
         RETURNING c.external_id, c.version + 1 AS version,
                   coalesce((SELECT version FROM memberships), c.segment_version_base) + 1 AS segment_version,
                   CASE WHEN c.email IS NOT NULL THEN ${EMAIL_HASH} END AS email_hash, c.email, c.name, c.phone
       ), tombstone AS (
         INSERT INTO segmentation.erased_customers (external_id, version, segment_version)
         SELECT external_id, version, segment_version FROM gone
         ON CONFLICT (external_id) DO UPDATE SET version = excluded.version, segment_version = excluded.segment_version, erased_at = now()
       ), announced AS (
         -- contact data still waiting in the outbox: the erasure supersedes it, so it leaves without the data
         UPDATE ${OUTBOX} SET payload = payload || '{"email": null, "name": null, "phone": null, "locale": null, "tags": []}'::jsonb
          WHERE event = 'customer.upserted' AND payload->>'externalId' = $1
       )
       SELECT * FROM gone`,
      [externalId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      externalId: row.external_id,
      version: row.version,
      segmentVersion: row.segment_version,
      emailHashes: row.email_hash ? [row.email_hash] : [],
      personalData: [row.email, row.name, row.phone].filter((v): v is string => v !== null && v.length >= 3),
    };
  }
}

/**
 * The id of a customer known by address alone: the same for every ticket of that address (so
 * concurrent observations create one customer), with no personal data in it (ids outlive an
 * erasure in tombstones). `address` is trimmed and lower-cased.
 */
function derivedExternalId(address: string): string {
  return `cf_${createHash('sha256').update(`careflow-customer:${address}`).digest('hex').slice(0, 32)}`;
}
