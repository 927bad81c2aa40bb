import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UndeliverableAddresses1765000000000 implements MigrationInterface {
  name = 'UndeliverableAddresses1765000000000';

  async up(db: QueryRunner): Promise<void> {
    // Addresses a permanent bounce named (lower-case), whoever they belong to: a ticket-only
    // customer has no projection row to carry the flag. Mail recorded for them is suppressed.
    await db.query(`
      CREATE TABLE notifications.undeliverable_addresses (
        address text PRIMARY KEY,
        reason text NOT NULL,
        bounced_at timestamptz NOT NULL,
        inbound_email_id uuid NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notifications.undeliverable_addresses`);
  }
}
