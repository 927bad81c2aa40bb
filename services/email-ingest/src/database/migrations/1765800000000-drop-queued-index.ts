import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the index on queued messages. Nothing reads by it: a message whose job was lost with
 * Redis is announced again by the outbox relay, not by a sweep of queued messages. It only
 * cost a write per message received, and with statistics taken while little was queued the
 * planner took it for the way to a single message being finished, reading the whole queued
 * backlog each time.
 */
export class DropQueuedIndex1765800000000 implements MigrationInterface {
  name = 'DropQueuedIndex1765800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS email_ingest.inbound_emails_queued`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX IF NOT EXISTS inbound_emails_queued ON email_ingest.inbound_emails (received_at) WHERE status = 'queued'`);
  }
}
