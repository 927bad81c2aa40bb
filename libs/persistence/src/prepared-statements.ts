import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';

/** Statement texts remembered at most; beyond that, statements run unnamed (texts with values in them would grow it). */
const MAX_NAMED = 500;
const names = new Map<string, string>();

/**
 * The prepared-statement name of a statement text (the same text, the same name, on every
 * connection of the process); undefined once MAX_NAMED texts have names.
 */
function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (!name && names.size < MAX_NAMED) {
    name = `careflow_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** pg's own query, taken loosely: its overloads cannot be forwarded one by one. */
const plainQuery = pg.Client.prototype.query as unknown as (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * The pool's connection class (`createDataSource`): every statement with parameters, the ones
 * inside transactions included, runs as a named prepared statement, parsed and planned once
 * per connection rather than on every call (planning was about a third of the statements'
 * time in Postgres on the inbound-mail path). Statements without parameters (DDL, SET,
 * BEGIN) run as they are.
 *
 * A prepared statement's result columns are fixed: after a migration changes a table under a
 * `SELECT *` (a newer replica's, in a rolling deploy) Postgres refuses it ("cached plan must
 * not change result type"). That call fails; the connection then prepares the text again under
 * a name of its own, so the retry (the job's, the client's) finds it working.
 */
export class PreparingClient extends pg.Client {
  /** Texts this connection prepares under a name of its own (their shared name went stale here). */
  renamed?: Map<string, string>;
}
PreparingClient.prototype.query = function (this: PreparingClient, config: unknown, values?: unknown, callback?: unknown) {
  if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
    const name = this.renamed?.get(config) ?? statementName(config);
    if (name) {
      const named = { name, text: config, values };
      const noteStale = (error: unknown) => {
        if (isStaleResultType(error)) (this.renamed ??= new Map()).set(config, `${name}_${randomBytes(4).toString('hex')}`);
      };
      // The pool's own query passes a callback; TypeORM awaits the promise.
      if (typeof callback === 'function') {
        const done = callback as (error: unknown, result: unknown) => void;
        return plainQuery.call(this, named, (error: unknown, result: unknown) => {
          if (error) noteStale(error);
          done(error, result);
        });
      }
      return (plainQuery.call(this, named) as Promise<unknown>).catch((error: unknown) => {
        noteStale(error);
        throw error;
      });
    }
  }
  return plainQuery.call(this, config, values, callback);
} as unknown as typeof pg.Client.prototype.query;

function isStaleResultType(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
}

/**
 * Runs a service's hot statements as named prepared statements on its connection pool, so
 * Postgres parses and plans each once per connection instead of on every call: planning was
 * a third of a tracking event's time in Postgres (pg_stat_statements). For single statements
 * outside a transaction; values always go in as parameters, never into the text.
 */
export class PreparedStatements {
  constructor(private readonly dataSource: DataSource) {}

  async query<T>(text: string, values: readonly unknown[]): Promise<T[]> {
    const pool = (this.dataSource.driver as unknown as { master: pg.Pool }).master;
    // Named and prepared by the pool's connections (PreparingClient).
    const result = await pool.query<T & pg.QueryResultRow>(text, values as unknown[]);
    return result.rows;
  }
}
