import 'reflect-metadata';
import { migrateAndExit } from '@careflow/persistence';
import dataSource from './database/data-source.js';
import { SCHEMA } from './database/schema.js';

/** `node dist/src/migrate.js`: applies this service's pending migrations and exits. */
await migrateAndExit(dataSource, SCHEMA);
