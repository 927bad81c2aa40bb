import { loadConfig } from '@careflow/platform';
import type { INestApplication, Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll } from 'vitest';
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

/** An app started in this process for one describe block, as its tests reach it. */
export interface InProcessAppHandle {
  readonly app: INestApplication;
  /** The app's test database (a pg pool, for fixtures and assertions). */
  readonly db: TestDatabase;
  /** The app's own TypeORM DataSource. */
  readonly dataSource: DataSource;
  /** A provider of the app (`app.get`). */
  get<T>(token: Type<T> | string | symbol): T;
}

/**
 * startInProcessApp before the tests of the describe block it is called in, stopped after them
 * (see useStack for the order of hooks). `env` may be a function, for settings an earlier hook
 * decides (a free port).
 */
export function useInProcessApp<C extends object>(
  ConfigClass: new () => C,
  create: (config: C) => Promise<INestApplication>,
  env: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>) = {},
): InProcessAppHandle {
  let running: InProcessApp | undefined;
  const started = () => {
    if (!running) throw new Error('The app is not running: reach it from a test or from a hook registered after useInProcessApp().');
    return running;
  };
  beforeAll(async () => {
    running = await startInProcessApp(ConfigClass, create, typeof env === 'function' ? await env() : env);
  });
  afterAll(async () => running?.stop());
  return {
    get app() {
      return started().app;
    },
    get db() {
      return started().db;
    },
    get dataSource() {
      return started().app.get<DataSource>(getDataSourceToken());
    },
    get: <T>(token: Type<T> | string | symbol) => started().app.get<T>(token),
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
