import pg from 'pg';

const { escapeLiteral } = pg.Client.prototype;

/** A statement parameter as an SQL literal (untyped: it takes the type of the parameter it is given for). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = (v: unknown): string => (v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : String(v));
  if (Array.isArray(value)) return escapeLiteral(`{${value.map((v) => (v === null ? 'NULL' : `"${text(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)).join(',')}}`);
  return escapeLiteral(text(value));
}

/** A statement as a service sent it: its text with `$n` placeholders and their values. */
export interface SentStatement {
  text: string;
  values: readonly unknown[];
}

/**
 * Postgres' plan for a statement as a service sends it, without running it: prepared, then
 * EXPLAIN EXECUTE with its values, in a transaction that is rolled back. `generic` is the plan
 * a cached prepared statement ends up with (chosen without looking at the values); `custom` is
 * the plan for these very values, as an unnamed statement gets.
 */
export async function planOf(pool: pg.Pool, statement: SentStatement, mode: 'generic' | 'custom'): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL plan_cache_mode = ${mode === 'generic' ? 'force_generic_plan' : 'force_custom_plan'}`);
    await client.query(`PREPARE planned AS ${statement.text}`);
    const rows = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE planned(${statement.values.map(literal).join(', ')})`)).rows;
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    // A prepared statement belongs to the session, not the transaction.
    await client.query('ROLLBACK');
    await client.query('DEALLOCATE ALL');
    client.release();
  }
}
