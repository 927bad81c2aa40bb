import pg from 'pg';

/*
 * What the fingerprint leaves out or treats apart, from the services' migrations. Each is
 * written by something other than the request under test, at a time of its own choosing:
 *   - `migrations` (TypeORM's table in each schema): only at start.
 *   - `idempotency_records` (gateway): the gateway remembers every answered POST that carried
 *     an Idempotency-Key, 4xx included; that is its job, not data the request created.
 *   - `processed_jobs` (every service's job ledger): written by workers in the background. Not
 *     compared, but watched: a change means a background job committed (an SLA timer that
 *     fell due, say), so a change in the other tables at that moment is not the request's.
 *   - `outbox` (every service): the relay marks rows published and deletes confirmed ones in
 *     the background, so counts and versions move on their own. Compared by rows created
 *     since the previous snapshot instead: a rejected request must announce nothing.
 *   - `api_keys.last_used_at` (gateway): stamped off the request path, once a minute per key,
 *     by whichever request comes first. That table is compared by content without the column.
 */
const IGNORED_TABLES = new Set(['migrations', 'idempotency_records']);
const LEDGER_TABLES = new Set(['processed_jobs']);
const OUTBOX_TABLES = new Set(['outbox']);
const IGNORED_COLUMNS = new Set(['last_used_at']);
const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];

export interface Fingerprint {
  /** The database clock when it was taken. */
  at: string;
  /** Per table: `rows/versions` (count and xmin sum: inserts, updates and deletes all move it). */
  tables: Record<string, string>;
  /** Per outbox: rows created since the `since` the fingerprint was taken with. */
  announced: Record<string, number>;
  /** Per job ledger: moves whenever a background job commits. */
  ledgers: Record<string, string>;
}

interface TableInfo {
  /** `schema.table`, as reports show it. */
  name: string;
  /** The same, quoted for SQL. */
  sqlName: string;
  kind: 'table' | 'ledger' | 'outbox';
  ignoredColumns: string[];
}

/**
 * One statement that fingerprints every table of every schema (discovered, so the tables of
 * a service added later are covered): one consistent snapshot, a few milliseconds.
 */
export class DatabaseFingerprint {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly sql: string,
    private readonly kinds: ReadonlyMap<string, TableInfo['kind']>,
  ) {}

  static async discover(pool: pg.Pool): Promise<DatabaseFingerprint> {
    const { rows } = await pool.query<{ schema: string; table: string; columns: string[] }>(
      `SELECT t.schemaname AS schema, t.tablename AS table, array_agg(c.column_name::text) AS columns
         FROM pg_tables t JOIN information_schema.columns c ON c.table_schema = t.schemaname AND c.table_name = t.tablename
        WHERE t.schemaname <> ALL ($1) GROUP BY 1, 2 ORDER BY 1, 2`,
      [SYSTEM_SCHEMAS],
    );
    const tables: TableInfo[] = rows
      .filter((r) => !IGNORED_TABLES.has(r.table))
      .map((r) => ({
        name: `${r.schema}.${r.table}`,
        sqlName: `${pg.escapeIdentifier(r.schema)}.${pg.escapeIdentifier(r.table)}`,
        kind: LEDGER_TABLES.has(r.table) ? 'ledger' : OUTBOX_TABLES.has(r.table) ? 'outbox' : 'table',
        ignoredColumns: r.columns.filter((c) => IGNORED_COLUMNS.has(c)),
      }));
    const parts = tables.map((t) => `SELECT ${pg.escapeLiteral(t.name)} AS name, ${stateOf(t)} AS state FROM ${t.sqlName} t`);
    // The clock row names $1 too, so the statement is valid even where no schema has an outbox.
    const sql = [`SELECT '' AS name, clock_timestamp()::text AS state WHERE $1::timestamptz IS NOT NULL`, ...parts].join('\nUNION ALL ');
    return new DatabaseFingerprint(pool, sql, new Map(tables.map((t) => [t.name, t.kind])));
  }

  /** `since`: the clock of an earlier fingerprint, from which outbox rows count as new. */
  async take(since = 'infinity'): Promise<Fingerprint> {
    const { rows } = await this.pool.query<{ name: string; state: string }>(this.sql, [since]);
    const fingerprint: Fingerprint = { at: '', tables: {}, announced: {}, ledgers: {} };
    for (const { name, state } of rows) {
      const kind = this.kinds.get(name);
      if (name === '') fingerprint.at = state;
      else if (kind === 'ledger') fingerprint.ledgers[name] = state;
      else if (kind === 'outbox') fingerprint.announced[name] = Number(state);
      else fingerprint.tables[name] = state;
    }
    return fingerprint;
  }
}

function stateOf(table: TableInfo): string {
  if (table.kind === 'outbox') return `count(*) FILTER (WHERE t.created_at >= $1::timestamptz)::text`;
  const versions =
    table.ignoredColumns.length > 0
      ? `sum(hashtextextended((to_jsonb(t) - ${table.ignoredColumns.map((c) => pg.escapeLiteral(c)).join(' - ')})::text, 0))`
      : `sum(t.xmin::text::bigint)`;
  return `count(*)::text || '/' || coalesce(${versions}, 0)::text`;
}

/**
 * What was written between two fingerprints (`after` taken with `since` = `before.at`), one
 * line per table: empty when nothing was.
 */
export function tableChanges(before: Fingerprint, after: Fingerprint): string[] {
  const changed = Object.keys({ ...before.tables, ...after.tables })
    .filter((name) => before.tables[name] !== after.tables[name])
    .map((name) => {
      const [was = '0'] = (before.tables[name] ?? '0').split('/');
      const [now = '0'] = (after.tables[name] ?? '0').split('/');
      return was === now ? `${name}: rows updated (${now} rows)` : `${name}: ${was} → ${now} rows`;
    });
  const announced = Object.entries(after.announced)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name}: ${count} event(s) announced`);
  return [...changed, ...announced];
}

export function backgroundJobsRan(before: Fingerprint, after: Fingerprint): boolean {
  return Object.keys({ ...before.ledgers, ...after.ledgers }).some((name) => before.ledgers[name] !== after.ledgers[name]);
}
