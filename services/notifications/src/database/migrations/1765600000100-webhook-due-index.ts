import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reconciler's index of due deliveries, keyed as before on `next_attempt_at`, now over the
 * rows that have one (`next_attempt_at IS NOT NULL`: the pending ones, by the table's check)
 * instead of `WHERE status = 'pending'`.
 *
 * The statements that claim attempts and record outcomes find their deliveries by id and also
 * require `status = 'pending'`, which made the old index usable for them: with statistics
 * gathered while few deliveries were pending, their cached plans scanned every pending
 * delivery for each batch, once a backlog built up (seen: 33 ms per batch of 15 outcomes,
 * for 5 000 pending). Only a condition on `next_attempt_at` (the reconciler's) matches this one.
 */
export class WebhookDueIndex1765600000100 implements MigrationInterface {
  name = 'WebhookDueIndex1765600000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notifications.webhook_deliveries_due`);
    await db.query(`CREATE INDEX webhook_deliveries_due ON notifications.webhook_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notifications.webhook_deliveries_due`);
    await db.query(`CREATE INDEX webhook_deliveries_due ON notifications.webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
  }
}
