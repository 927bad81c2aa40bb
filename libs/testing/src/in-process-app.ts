import { loadConfig } from '@careflow/platform';
import type { INestApplication } from '@nestjs/common';
import { deleteKeys, uniqueQueuePrefix } from './redis-keys.js';
import { listRoutes } from './routes.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { serviceTestEnv } from './test-env.js';

/** An app running in this process against its own test database and queue prefix. */
export interface InProcessApp {
  app: INestApplication;
  db: TestDatabase;
  stop(): Promise<void>;
}

/**
 * Boots an app in this process against its own test database and queue prefix, for tests that
 * inspect an app rather than call it over HTTP, or that reach into it (its services, its
 * database). `env` adds to the test environment. `stop()` tears everything down.
 */
export async function startInProcessApp<C extends object>(
  ConfigClass: new () => C,
  create: (config: C) => Promise<INestApplication>,
  env: Record<string, string> = {},
): Promise<InProcessApp> {
  const db = await createTestDatabase();
  const prefix = uniqueQueuePrefix();
  const app = await create(loadConfig(ConfigClass, serviceTestEnv(db.url, prefix, env)));
  try {
    await app.init();
  } catch (error) {
    await db.drop();
    throw error;
  }
  return {
    app,
    db,
    async stop() {
      await app.close();
      await deleteKeys(prefix);
      await db.drop();
    },
  };
}

/** startInProcessApp around one callback. */
export async function withInProcessApp<C extends object>(
  ConfigClass: new () => C,
  create: (config: C) => Promise<INestApplication>,
  use: (app: INestApplication) => Promise<void> | void,
  env: Record<string, string> = {},
): Promise<void> {
  const running = await startInProcessApp(ConfigClass, create, env);
  try {
    await use(running.app);
  } finally {
    await running.stop();
  }
}

/** The routes of an app that declare neither a scope nor @Public(): must be none. */
export function undeclaredRoutes(app: INestApplication): string[] {
  return listRoutes(app)
    .filter((r) => r.access === undefined || (Array.isArray(r.access) && r.access.length === 0))
    .map((r) => r.route);
}
