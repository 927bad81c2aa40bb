import { defaultCompressionSql, lz4CompressionSql, type LargeColumns } from '@careflow/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns of large values, compressed with lz4 (see lz4CompressionSql). */
const LARGE_COLUMNS: LargeColumns = [
  ['segmentation.outbox', ['payload']],
];

export class Lz4Compression1765400000000 implements MigrationInterface {
  name = 'Lz4Compression1765400000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of lz4CompressionSql(LARGE_COLUMNS)) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of defaultCompressionSql(LARGE_COLUMNS)) await db.query(sql);
  }
}
