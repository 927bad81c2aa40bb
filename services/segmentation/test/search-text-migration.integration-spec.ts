import { createDataSource } from '@careflow/persistence';
import { createTestDatabase, type TestDatabase } from '@careflow/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SearchTextV21765500000000 } from '../src/database/migrations/1765500000000-search-text-v2.js';

let db: TestDatabase;
let dataSource: DataSource;
beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = createDataSource({ url: db.url, schema: 'segmentation', entities: [], migrations: [], applicationName: 'search-text-migration-test' });
  await dataSource.initialize();
});
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

/**
 * Customers written under the first folding are found after the migration as new ones are:
 * their stored `search` is written again and the trigram index serves it; and the migration
 * goes back and forth.
 */
it('folds the stored search text of existing customers again, and back', async () => {
  const migration = new SearchTextV21765500000000();
  const runner = dataSource.createQueryRunner();
  const searchOf = async (): Promise<string> =>
    (await runner.query(`SELECT search FROM segmentation.customers WHERE external_id = 'cus_fold'`))[0].search;
  try {
    await migration.down(runner);
    await runner.query(`INSERT INTO segmentation.customers (external_id, name, email) VALUES ('cus_fold', 'Jürgen Weißmüller', 'JW@Example.de')`);
    expect(await searchOf()).toBe('jurgen weismuller jw@example.de');

    await migration.up(runner);
    expect(await searchOf()).toBe('jurgen weissmuller jw@example.de');
    const found = async (word: string): Promise<number> =>
      (await runner.query(`SELECT count(*)::int AS n FROM segmentation.customers WHERE search LIKE '%' || segmentation.search_text($1) || '%'`, [word]))[0].n;
    expect(await found('WEISSMÜLLER')).toBe(1);
    expect(await found('Weißmüller')).toBe(1);
    expect(await found('nguyen')).toBe(0);
    await runner.query(`SET enable_seqscan = off`);
    const plan: Array<{ 'QUERY PLAN': string }> = await runner.query(`EXPLAIN SELECT 1 FROM segmentation.customers WHERE search LIKE '%weiss%'`);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('customers_search_idx');
    await runner.query(`RESET enable_seqscan`);

    await migration.down(runner);
    expect(await searchOf()).toBe('jurgen weismuller jw@example.de');
    await migration.up(runner);
  } finally {
    await runner.release();
  }
});

it('folds any script as ticket search does', async () => {
  const [row] = await dataSource.query(`SELECT segmentation.search_text('Nguyễn ĐƠN Œuvre ÆGIR Łódź Øresund Þór Заказ пришёл Ελληνικά 東京') AS folded`);
  expect(row.folded).toBe('nguyen don oeuvre aegir lodz oresund thor заказ пришел ελληνικα 東京');
});
