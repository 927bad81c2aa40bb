import { outboxSchemaSqlV1 } from '@careflow/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(db: QueryRunner): Promise<void> {
    // A projection of segmentation's customers: what tickets need to know about a requester.
    await db.query(`
      CREATE TABLE tickets.customers (
        external_id text PRIMARY KEY,
        email text,
        name text,
        phone text,
        locale text,
        tags text[] NOT NULL DEFAULT '{}',
        vip boolean,
        segment text,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX customers_email_idx ON tickets.customers (lower(email))`);
    for (const sql of outboxSchemaSqlV1('tickets')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP SCHEMA tickets CASCADE');
  }
}
