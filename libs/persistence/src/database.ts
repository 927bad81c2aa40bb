import pg from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { PreparingClient } from './prepared-statements.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export interface DatabaseOptions {
  url: string;
  /** The one Postgres schema this service owns. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /** Shown in pg_stat_activity, so a DBA can tell the services apart. */
  applicationName: string;
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: options.applicationName,
    poolSize: options.poolSize ?? 10,
    // Every statement with parameters runs prepared (PreparingClient).
    extra: { connectionTimeoutMillis: 5_000, Client: PreparingClient },
  });
}

/** Creates the database named in the URL when it does not exist yet (API.md: "created if missing"). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } catch (error) {
        // Several services start at once; the loser of the race finds it created
        // (42P04 duplicate_database, or 23505 when both inserts into pg_database collide).
        const code = (error as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Applies the service's pending migrations inside its own schema. An advisory lock keyed
 * by the schema lets any number of replicas start at once: one migrates, the rest wait.
 */
export async function migrateSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`careflow.migrate.${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`careflow.migrate.${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/** What a service's `migrate` entry point does: create the database, migrate, report, exit. */
export async function migrateAndExit(dataSource: DataSource, schema: string): Promise<void> {
  await ensureDatabase((dataSource.options as { url: string }).url);
  await dataSource.initialize();
  try {
    const applied = await migrateSchema(dataSource, schema);
    process.stdout.write(`${JSON.stringify({ schema, applied })}\n`);
  } finally {
    await dataSource.destroy();
  }
}
