import { defaultCompressionSql, lz4CompressionSql } from '@careflow/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns of large values, compressed with lz4 (see lz4CompressionSql). */
const LARGE_COLUMNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['segmentation.outbox', ['payload']],
];

export class Lz4Compression1765400000000 implements MigrationInterface {
  name = 'Lz4Compression1765400000000';

  async up(db: QueryRunner): Promise<void> {
    for (const [table, columns] of LARGE_COLUMNS) await db.query(lz4CompressionSql(table, columns));
  }

  async down(db: QueryRunner): Promise<void> {
    for (const [table, columns] of LARGE_COLUMNS) await db.query(defaultCompressionSql(table, columns));
  }
}
