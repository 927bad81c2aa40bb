import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCompressionSql, lz4CompressionSql } from './outbox.schema.js';

const URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('lz4 compression of large columns (real Postgres)', () => {
  const schema = `compression_${randomBytes(4).toString('hex')}`;
  const table = `${schema}.mail`;
  const admin = new pg.Client({ connectionString: URL });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${table} (id int PRIMARY KEY, raw bytea, body text, payload jsonb)`);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  });

  /** Each column's method as Postgres records it: 'l' lz4, 'p' pglz, '' the server's default. */
  const methods = async () =>
    Object.fromEntries((await admin.query<{ attname: string; attcompression: string }>(
      `SELECT attname, attcompression FROM pg_attribute WHERE attrelid = $1::regclass AND attname IN ('raw', 'body', 'payload')`,
      [table],
    )).rows.map((r) => [r.attname, r.attcompression]));

  it('sets lz4 on the columns named, and a value written afterwards is stored with it; down sets the default again', async () => {
    const lz4 = (await admin.query<{ ok: boolean }>(`SELECT count(*) > 0 AS ok FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`)).rows[0]!.ok;
    for (const sql of lz4CompressionSql([[table, ['raw', 'body']]])) await admin.query(sql);
    expect(await methods()).toEqual({ raw: lz4 ? 'l' : '', body: lz4 ? 'l' : '', payload: '' });

    await admin.query(`INSERT INTO ${table} (id, raw, body) VALUES (1, $1, $2)`, [Buffer.from('Subject: hello\r\n\r\n'.repeat(1000)), 'xin chào '.repeat(1000)]);
    const stored = (await admin.query(`SELECT pg_column_compression(raw) AS raw, pg_column_compression(body) AS body FROM ${table} WHERE id = 1`)).rows[0];
    expect(stored).toEqual(lz4 ? { raw: 'lz4', body: 'lz4' } : { raw: 'pglz', body: 'pglz' });

    for (const sql of defaultCompressionSql([[table, ['raw', 'body']]])) await admin.query(sql);
    expect(await methods()).toEqual({ raw: '', body: '', payload: '' });
  });
});
