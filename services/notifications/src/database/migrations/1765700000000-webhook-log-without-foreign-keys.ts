import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook deliveries and attempts without foreign keys. Every delivery is written with its
 * message by one statement, every attempt by a statement that finds its delivery; the only
 * deletes (an endpoint, old messages) now remove the rows below them themselves.
 *
 * A foreign-key check locks the referenced row FOR KEY SHARE: one lock on the endpoint's row
 * for every delivery written (concurrent fan-ins turn those into multixacts) and one on the
 * delivery's row for every attempt, which the same statement then updates. That was about a
 * sixth of Postgres' CPU per delivery in the fan-out benchmark.
 */
export class WebhookLogWithoutForeignKeys1765700000000 implements MigrationInterface {
  name = 'WebhookLogWithoutForeignKeys1765700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications.webhook_attempts DROP CONSTRAINT webhook_attempts_delivery_id_fkey`);
    await db.query(
      `ALTER TABLE notifications.webhook_deliveries
         DROP CONSTRAINT webhook_deliveries_endpoint_id_fkey,
         DROP CONSTRAINT webhook_deliveries_message_id_fkey`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    // Rows whose parent went meanwhile (a delete racing a write) would fail the constraints.
    await db.query(
      `DELETE FROM notifications.webhook_deliveries d
        WHERE NOT EXISTS (SELECT 1 FROM notifications.webhook_endpoints e WHERE e.id = d.endpoint_id)
           OR NOT EXISTS (SELECT 1 FROM notifications.webhook_messages m WHERE m.id = d.message_id)`,
    );
    await db.query(
      `DELETE FROM notifications.webhook_attempts a
        WHERE NOT EXISTS (SELECT 1 FROM notifications.webhook_deliveries d WHERE d.id = a.delivery_id)`,
    );
    await db.query(
      `ALTER TABLE notifications.webhook_deliveries
         ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES notifications.webhook_endpoints (id) ON DELETE CASCADE,
         ADD CONSTRAINT webhook_deliveries_message_id_fkey FOREIGN KEY (message_id) REFERENCES notifications.webhook_messages (id) ON DELETE CASCADE`,
    );
    await db.query(
      `ALTER TABLE notifications.webhook_attempts
         ADD CONSTRAINT webhook_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES notifications.webhook_deliveries (id) ON DELETE CASCADE`,
    );
  }
}
