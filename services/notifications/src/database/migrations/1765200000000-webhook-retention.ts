import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The retention pass finds webhook messages past WEBHOOK_RETENTION_DAYS oldest first. */
export class WebhookRetention1765200000000 implements MigrationInterface {
  name = 'WebhookRetention1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX webhook_messages_created ON notifications.webhook_messages (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notifications.webhook_messages_created`);
  }
}
