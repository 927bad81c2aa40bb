import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Customer } from './entities/customer.entity.js';

export interface CustomerFields {
  email: string | null;
  name: string | null;
  phone: string | null;
  locale: string | null;
  tags: string[];
  vip: boolean | null;
}

interface CustomerRow {
  id: string;
  external_id: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  locale: string | null;
  tags: string[];
  vip: boolean | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function toEntity(row: CustomerRow): Customer {
  return Object.assign(new Customer(), {
    id: row.id,
    externalId: row.external_id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    locale: row.locale,
    tags: row.tags,
    vip: row.vip,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts or replaces the customer in one statement. A PUT that changes nothing leaves
   * the row (and its version) alone, so no event is announced for it.
   */
  async upsert(tx: EntityManager, externalId: string, f: CustomerFields): Promise<{ customer: Customer; outcome: UpsertOutcome }> {
    const rows: Array<CustomerRow & { inserted: boolean }> = await tx.query(
      `INSERT INTO segmentation.customers AS c (external_id, email, name, phone, locale, tags, vip)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (external_id) DO UPDATE SET
         email = excluded.email, name = excluded.name, phone = excluded.phone,
         locale = excluded.locale, tags = excluded.tags, vip = excluded.vip,
         version = c.version + 1, updated_at = now()
       WHERE (c.email, c.name, c.phone, c.locale, c.tags, c.vip)
             IS DISTINCT FROM (excluded.email, excluded.name, excluded.phone, excluded.locale, excluded.tags, excluded.vip)
       RETURNING *, (xmax = 0) AS inserted`,
      [externalId, f.email, f.name, f.phone, f.locale, f.tags, f.vip],
    );
    const row = rows[0];
    if (row) return { customer: toEntity(row), outcome: row.inserted ? 'created' : 'updated' };
    const existing = await this.findByExternalId(externalId, tx);
    if (!existing) throw new Error(`customer ${externalId} vanished during upsert`);
    return { customer: existing, outcome: 'unchanged' };
  }

  async findByExternalId(externalId: string, tx: EntityManager = this.db.manager): Promise<Customer | null> {
    const rows: CustomerRow[] = await tx.query(`SELECT * FROM segmentation.customers WHERE external_id = $1`, [externalId]);
    return rows[0] ? toEntity(rows[0]) : null;
  }
}
