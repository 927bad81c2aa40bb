import { emailHashSql } from '@careflow/contracts';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CustomerErasure1764900001000 implements MigrationInterface {
  name = 'CustomerErasure1764900001000';

  async up(db: QueryRunner): Promise<void> {
    // An erased customer stays as a tombstone (no personal data, versions raised), so events
    // older than the erasure that are still in queues cannot bring the data back.
    await db.query(`ALTER TABLE tickets.customers ADD COLUMN erased_at timestamptz`);

    // customer.erased names addresses only by hash; tickets opened without the shop's id are
    // found by hashing theirs. The hash is the contract's expression (emailHashSql), wrapped so
    // it can be indexed: convert_to is only STABLE because it depends on the database
    // encoding, which never changes for a database, so the wrapper is honestly IMMUTABLE.
    await db.query(`
      CREATE FUNCTION tickets.email_hash(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT ${emailHashSql('$1')} $$`);
    // Partial: only tickets that know their customer by address alone are matched by hash, so
    // tickets of known customers (most of them) cost the index nothing.
    await db.query(`
      CREATE INDEX tickets_customer_email_hash_idx ON tickets.tickets (tickets.email_hash(customer_email))
        WHERE customer_external_id IS NULL AND customer_email IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX tickets.tickets_customer_email_hash_idx`);
    await db.query(`DROP FUNCTION tickets.email_hash(text)`);
    await db.query(`ALTER TABLE tickets.customers DROP COLUMN erased_at`);
  }
}
