import pg from 'pg';

/**
 * The NOTIFY channel of a schema's outbox. One channel per schema, so a commit wakes only the
 * relays of its own service (Postgres delivers every notification to every listener).
 */
export function outboxChannel(schema: string): string {
  return `careflow_outbox_${schema}`;
}

/**
 * DDL of the outbox and the processed-jobs ledger, shared by every service's first
 * migration. Frozen: once released, change these tables with a new migration, never here.
 */
export function outboxSchemaSqlV1(schema: string): string[] {
  const s = pg.escapeIdentifier(schema);
  return [
    `CREATE TABLE ${s}.outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY,
      event text NOT NULL,
      payload jsonb NOT NULL,
      request_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      publish_count integer NOT NULL DEFAULT 0,
      failed_at timestamptz,
      failure text
    )`,
    `CREATE INDEX outbox_unpublished_idx ON ${s}.outbox (seq) WHERE published_at IS NULL`,
    `CREATE INDEX outbox_unconfirmed_idx ON ${s}.outbox (published_at)
       WHERE published_at IS NOT NULL AND failed_at IS NULL`,
    `CREATE FUNCTION ${s}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_notify('${outboxChannel(schema)}', ''); RETURN NULL; END
     $$`,
    `CREATE TRIGGER outbox_notify AFTER INSERT ON ${s}.outbox
       FOR EACH STATEMENT EXECUTE FUNCTION ${s}.outbox_notify()`,
    `CREATE TABLE ${s}.processed_jobs (
      queue text NOT NULL,
      job_id text NOT NULL,
      job_name text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (queue, job_id)
    )`,
  ];
}

/**
 * The outbox's second version: each row records the job that carries it (the relay publishes
 * the rows of one event name together, as one job named by the first row's id).
 */
export function outboxSchemaSqlV2(schema: string): string[] {
  return [`ALTER TABLE ${pg.escapeIdentifier(schema)}.outbox ADD COLUMN job_id uuid`];
}

export function dropOutboxSchemaSqlV2(schema: string): string[] {
  return [`ALTER TABLE ${pg.escapeIdentifier(schema)}.outbox DROP COLUMN job_id`];
}

export function dropOutboxSchemaSqlV1(schema: string): string[] {
  const s = pg.escapeIdentifier(schema);
  return [
    `DROP TABLE IF EXISTS ${s}.processed_jobs`,
    `DROP TRIGGER IF EXISTS outbox_notify ON ${s}.outbox`,
    `DROP FUNCTION IF EXISTS ${s}.outbox_notify()`,
    `DROP TABLE IF EXISTS ${s}.outbox`,
  ];
}

/** Columns of large values, per table (`schema.table`). */
export type LargeColumns = ReadonlyArray<readonly [table: string, columns: readonly string[]]>;

/**
 * Columns of large values (raw mail, bodies, event payloads) compressed with lz4 rather than
 * Postgres' default pglz: about a quarter of the CPU per value written, and faster to read
 * back, for a little less compression. Metadata only: values already stored stay as they are.
 * A server built without lz4 keeps pglz (the statement says so in a NOTICE).
 */
export function lz4CompressionSql(tables: LargeColumns): string[] {
  return tables.map(([table, columns]) => {
    const alter = `ALTER TABLE ${table} ${columns.map((c) => `ALTER COLUMN ${pg.escapeIdentifier(c)} SET COMPRESSION lz4`).join(', ')}`;
    return `DO $$ BEGIN ${alter}; EXCEPTION WHEN feature_not_supported THEN RAISE NOTICE '${table}: lz4 not available, pglz kept'; END $$`;
  });
}

/** Undoes `lz4CompressionSql`: the server's default compression again. */
export function defaultCompressionSql(tables: LargeColumns): string[] {
  return tables.map(([table, columns]) => `ALTER TABLE ${table} ${columns.map((c) => `ALTER COLUMN ${pg.escapeIdentifier(c)} SET COMPRESSION default`).join(', ')}`);
}
