import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparingClient } from './prepared-statements.js';

const URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('PreparingClient (real Postgres)', () => {
  const schema = `prepared_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: URL });
  const client = new PreparingClient({ connectionString: URL });

  beforeAll(async () => {
    await Promise.all([admin.connect(), client.connect()]);
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int PRIMARY KEY, a text)`);
    await admin.query(`INSERT INTO ${schema}.t VALUES (1, 'one')`);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await Promise.all([admin.end(), client.end()]);
  });

  const prepared = async () =>
    (await admin.query(`SELECT count(*)::int AS n FROM pg_prepared_statements`)).rows[0].n as number;

  it('runs a statement with parameters prepared, once per text, and one without as it is', async () => {
    const text = `SELECT * FROM ${schema}.t WHERE id = $1`;
    expect((await client.query(text, [1])).rows).toEqual([{ id: 1, a: 'one' }]);
    expect((await client.query(text, [2])).rows).toEqual([]);
    const names = await client.query(`SELECT name, statement FROM pg_prepared_statements`);
    expect(names.rows.filter((r: { statement: string }) => r.statement === text)).toHaveLength(1);
    expect(names.rows.every((r: { name: string }) => r.name.startsWith('careflow_'))).toBe(true);
    expect(await prepared()).toBe(0); // another connection: statements are per connection
  });

  it('recovers a statement whose result type a migration changed: that call fails, the next one works', async () => {
    const text = `SELECT * FROM ${schema}.t WHERE id = $1`;
    await client.query(text, [1]);
    await admin.query(`ALTER TABLE ${schema}.t ADD COLUMN b text DEFAULT 'new'`);
    await expect(client.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
    expect((await client.query(text, [1])).rows).toEqual([{ id: 1, a: 'one', b: 'new' }]);
  });

  it('prepares the pool\'s own queries too (they pass a callback), and recovers them the same way', async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 1, Client: PreparingClient });
    try {
      const text = `SELECT * FROM ${schema}.t WHERE id = $1 AND $2::int = 2`;
      expect((await pool.query(text, [1, 2])).rows).toEqual([{ id: 1, a: 'one', b: 'new' }]);
      const names = await pool.query(`SELECT name FROM pg_prepared_statements WHERE statement = $$${text}$$`);
      expect(names.rows).toEqual([{ name: expect.stringMatching(/^careflow_/) }]);
      await admin.query(`ALTER TABLE ${schema}.t ADD COLUMN c text DEFAULT 'newer'`);
      await expect(pool.query(text, [1, 2])).rejects.toMatchObject({ code: '0A000' });
      expect((await pool.query(text, [1, 2])).rows).toEqual([{ id: 1, a: 'one', b: 'new', c: 'newer' }]);
    } finally {
      await pool.end();
    }
  });
});
