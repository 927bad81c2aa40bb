import { loadConfig } from '@careflow/platform';
import type { INestApplication } from '@nestjs/common';
import { deleteKeys, uniqueQueuePrefix } from './redis-keys.js';
import { listRoutes } from './routes.js';
import { createTestDatabase } from './test-database.js';
import { serviceTestEnv } from './test-env.js';

/**
 * Boots an app in this process against its own test database and queue prefix, runs `use`,
 * and tears everything down. For tests that inspect an app rather than call it over HTTP, or
 * that reach into it (its services, its database). `env` adds to the test environment.
 */
export async function withInProcessApp<C extends object>(
  ConfigClass: new () => C,
  create: (config: C) => Promise<INestApplication>,
  use: (app: INestApplication) => Promise<void> | void,
  env: Record<string, string> = {},
): Promise<void> {
  const db = await createTestDatabase();
  const prefix = uniqueQueuePrefix();
  const app = await create(loadConfig(ConfigClass, serviceTestEnv(db.url, prefix, env)));
  try {
    await app.init();
    await use(app);
  } finally {
    await app.close();
    await deleteKeys(prefix);
    await db.drop();
  }
}

/** The routes of an app that declare neither a scope nor @Public(): must be none. */
export function undeclaredRoutes(app: INestApplication): string[] {
  return listRoutes(app)
    .filter((r) => r.access === undefined || (Array.isArray(r.access) && r.access.length === 0))
    .map((r) => r.route);
}
