import { dropOutboxSchemaSqlV2, outboxSchemaSqlV2 } from '@careflow/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each outbox row records the job that carries it: the relay publishes the events of one name together. */
export class OutboxJobIds1765300000000 implements MigrationInterface {
  name = 'OutboxJobIds1765300000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of outboxSchemaSqlV2('email_ingest')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxSchemaSqlV2('email_ingest')) await db.query(sql);
  }
}
