import { outboxSchemaSqlV1 } from '@careflow/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE segmentation.customers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        external_id text NOT NULL UNIQUE,
        email text,
        name text,
        phone text,
        locale text,
        tags text[] NOT NULL DEFAULT '{}',
        vip boolean,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX customers_email_idx ON segmentation.customers (lower(email))`);
    for (const sql of outboxSchemaSqlV1('segmentation')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP SCHEMA segmentation CASCADE');
  }
}
