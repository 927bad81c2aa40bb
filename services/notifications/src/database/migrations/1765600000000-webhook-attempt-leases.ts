import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An attempt under way is held by its own columns instead of `next_attempt_at` and a log row
 * written in advance: claiming an attempt then changes no indexed column (the update is HOT,
 * no index touched) and writes no other row; the attempt's log row is written once, with its
 * outcome (or, for an attempt whose worker died, when the attempt is taken over).
 *
 * - `lease_until`: while `attempt_job` is set, when its lease ends (another job may then take
 *   the attempt over). `next_attempt_at` keeps the time the attempt was due.
 * - `attempt_started_at`: when the attempt under way started.
 * - fill factor 70: room on each page for the claimed version of its rows (a HOT update needs
 *   the new version on the same page).
 *
 * Attempts under way at the migration keep their log rows (written the old way); the outcome
 * and the take-over both write over such a row.
 */
export class WebhookAttemptLeases1765600000000 implements MigrationInterface {
  name = 'WebhookAttemptLeases1765600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications.webhook_deliveries ADD COLUMN lease_until timestamptz, ADD COLUMN attempt_started_at timestamptz`);
    await db.query(
      `UPDATE notifications.webhook_deliveries d
          SET lease_until = coalesce(d.next_attempt_at, now()), -- none when the delivery was ended meanwhile (an erasure)
              attempt_started_at = coalesce((SELECT a.started_at FROM notifications.webhook_attempts a WHERE a.delivery_id = d.id AND a.attempt = d.attempts), d.updated_at)
        WHERE d.attempt_job IS NOT NULL`,
    );
    await db.query(
      `ALTER TABLE notifications.webhook_deliveries
         ADD CONSTRAINT webhook_deliveries_lease CHECK ((attempt_job IS NULL) OR (lease_until IS NOT NULL AND attempt_started_at IS NOT NULL))`,
    );
    await db.query(`ALTER TABLE notifications.webhook_deliveries SET (fillfactor = 70)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications.webhook_deliveries RESET (fillfactor)`);
    // The old shape: an attempt under way has its log row, and next_attempt_at is its lease.
    await db.query(
      `INSERT INTO notifications.webhook_attempts (delivery_id, attempt, started_at)
       SELECT id, attempts, attempt_started_at FROM notifications.webhook_deliveries WHERE attempt_job IS NOT NULL
       ON CONFLICT (delivery_id, attempt) DO NOTHING`,
    );
    await db.query(
      `UPDATE notifications.webhook_deliveries SET next_attempt_at = lease_until WHERE attempt_job IS NOT NULL AND status = 'pending'`,
    );
    await db.query(`ALTER TABLE notifications.webhook_deliveries DROP CONSTRAINT webhook_deliveries_lease`);
    await db.query(`ALTER TABLE notifications.webhook_deliveries DROP COLUMN lease_until, DROP COLUMN attempt_started_at`);
  }
}
