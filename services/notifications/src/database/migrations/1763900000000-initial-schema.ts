import { outboxSchemaSqlV1 } from '@careflow/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of outboxSchemaSqlV1('notifications')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP SCHEMA notifications CASCADE');
  }
}
