import { emailHashSql } from '@careflow/contracts';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CustomerErasure1764900000000 implements MigrationInterface {
  name = 'CustomerErasure1764900000000';

  async up(db: QueryRunner): Promise<void> {
    // An erased customer stays as a tombstone (no personal data, version raised), so upserts
    // older than the erasure that are still in queues cannot bring the data back.
    await db.query(`ALTER TABLE notifications.customers ADD COLUMN erased_at timestamptz`);

    // customer.erased names addresses only by hash; messages to someone without the shop's id
    // (a ticket's acknowledgement to an unknown sender) are found by hashing theirs. The hash
    // is the contract's expression (emailHashSql), wrapped so it can be indexed: convert_to is
    // only STABLE because it depends on the database encoding, which never changes for a
    // database, so the wrapper is honestly IMMUTABLE.
    await db.query(`
      CREATE FUNCTION notifications.email_hash(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT ${emailHashSql('$1')} $$`);
    // Partial: messages to known customers (every shipment notice) cost the index nothing, and
    // the mail worker's updates (claims, outcomes) change neither column, so they stay HOT.
    await db.query(`
      CREATE INDEX outbound_to_address_hash_idx ON notifications.outbound_messages (notifications.email_hash(to_address))
        WHERE customer_external_id IS NULL AND to_address IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notifications.outbound_to_address_hash_idx`);
    await db.query(`DROP FUNCTION notifications.email_hash(text)`);
    await db.query(`ALTER TABLE notifications.customers DROP COLUMN erased_at`);
  }
}
