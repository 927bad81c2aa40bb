import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The job that holds a delivery's attempt under way. While an attempt runs, next_attempt_at is
 * its lease (no other job may start one); the same job delivered again after its worker died
 * (BullMQ's stalled-job recovery) takes the attempt over at once instead of waiting the lease out.
 */
export class WebhookDeliveryClaims1765100000100 implements MigrationInterface {
  name = 'WebhookDeliveryClaims1765100000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications.webhook_deliveries ADD COLUMN attempt_job text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications.webhook_deliveries DROP COLUMN attempt_job`);
  }
}
