import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from './stack.js';
import { databaseUrl, dropDatabase, TEMPLATE_ENV, withAdminClient } from './test-database.js';
import pg from 'pg';

const run = promisify(execFile);
const SERVICES = ['gateway', 'tickets', 'email-ingest', 'notifications', 'segmentation'];

/**
 * Vitest global setup: one template database per run with every service's migrations,
 * applied by the services' own migrate commands (the same the Dockerfile uses). Each test
 * file clones it.
 */
export async function setup(): Promise<() => Promise<void>> {
  const template = `careflow_t${process.pid}_tpl`;
  await dropDatabase(template);
  await withAdminClient((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`));
  // Each service migrates only its own schema, so they can all run at once.
  await Promise.all(
    SERVICES.map((service) =>
      run(process.execPath, [`services/${service}/dist/src/migrate.js`], {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'], DATABASE_URL: databaseUrl(template) },
      }),
    ),
  );
  process.env[TEMPLATE_ENV] = template;
  return async () => {
    // Drop this run's clones that a crashed file left behind, then the template.
    await withAdminClient(async (c) => {
      const rows = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`careflow_t${process.pid}_%`]);
      for (const { datname } of rows.rows) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    });
  };
}
