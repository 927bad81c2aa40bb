import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE gateway.api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash bytea NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        bootstrap boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await db.query(`CREATE INDEX api_keys_created_idx ON gateway.api_keys (created_at, id)`);
    // Responses remembered per (API key, Idempotency-Key); status NULL means still in flight.
    await db.query(`
      CREATE TABLE gateway.idempotency_records (
        api_key_id uuid NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        status integer,
        response_headers jsonb,
        response_body bytea,
        locked_until timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (api_key_id, key)
      )`);
    await db.query(`CREATE INDEX idempotency_records_expiry_idx ON gateway.idempotency_records (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP SCHEMA gateway CASCADE');
  }
}
