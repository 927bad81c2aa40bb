import type pg from 'pg';

/** The schemas whose rows a request through the gateway can write. */
export const DATA_SCHEMAS = ['gateway', 'tickets', 'notifications', 'segmentation'] as const;
export type DataSchema = (typeof DATA_SCHEMAS)[number];

/** Tables that relays and workers touch whatever a request did; not evidence of a write. */
const BACKGROUND_TABLES = new Set(['outbox', 'processed_jobs', 'migrations']);
/** Columns written off the request path (the gateway records a key's last use once a minute). */
const BACKGROUND_COLUMNS: Record<string, readonly string[]> = { 'gateway.api_keys': ['last_used_at'] };

/**
 * Per table `schema.table`: its row count and a version that changes with any insert, update
 * or delete (the sum of the rows' `xmin`, or a digest of the rows for a table with columns
 * written in the background). Two equal states mean nothing was written in between.
 */
export type SchemaState = Record<string, { rows: number; version: string }>;

const queries = new WeakMap<pg.Pool, Map<string, Promise<string>>>();

async function stateQuery(pool: pg.Pool, schemas: readonly string[]): Promise<string> {
  const { rows } = await pool.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
    [schemas],
  );
  const parts = rows
    .filter((t) => !BACKGROUND_TABLES.has(t.name))
    .map(({ schema, name }) => {
      const qualified = `${schema}.${name}`;
      const table = `"${schema}"."${name}"`;
      const skip = BACKGROUND_COLUMNS[qualified];
      const version = skip
        ? `coalesce(md5(string_agg((to_jsonb(x) - '{${skip.join(',')}}'::text[])::text, ',' ORDER BY (to_jsonb(x) - '{${skip.join(',')}}'::text[])::text)), '')`
        : `coalesce(sum(x.xmin::text::bigint), 0)::text`;
      return `SELECT '${qualified}' AS "table", count(*)::int AS rows, ${version} AS version FROM ${table} x`;
    });
  return parts.join('\nUNION ALL ');
}

/** Row counts and row versions of every table of `schemas` (relay and worker tables left out). */
export async function schemaState(pool: pg.Pool, schemas: readonly string[] = DATA_SCHEMAS): Promise<SchemaState> {
  let byPool = queries.get(pool);
  if (!byPool) queries.set(pool, (byPool = new Map()));
  const key = schemas.join(',');
  let sql = byPool.get(key);
  if (!sql) byPool.set(key, (sql = stateQuery(pool, schemas)));
  const { rows } = await pool.query<{ table: string; rows: number; version: string }>(await sql);
  return Object.fromEntries(rows.map((r) => [r.table, { rows: r.rows, version: r.version }]));
}

/** The tables whose state differs, with before and after: empty when nothing was written. */
export function schemaChanges(before: SchemaState, after: SchemaState): Record<string, { before?: SchemaState[string]; after?: SchemaState[string] }> {
  const changed: Record<string, { before?: SchemaState[string]; after?: SchemaState[string] }> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[table];
    const a = after[table];
    if (b?.rows !== a?.rows || b?.version !== a?.version) changed[table] = { before: b, after: a };
  }
  return changed;
}

/**
 * Waits until no table of `schemas` has changed for `quietMs`: the jobs earlier requests caused
 * (projections, mail) are done, so a later comparison sees only what the next request does.
 */
export async function waitForQuietSchemas(pool: pg.Pool, schemas: readonly string[] = DATA_SCHEMAS, quietMs = 500, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await schemaState(pool, schemas);
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await schemaState(pool, schemas);
    if (Object.keys(schemaChanges(last, now)).length > 0) {
      last = now;
      quietSince = Date.now();
    }
  }
}
