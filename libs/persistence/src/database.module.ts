import { CommonConfig, LOGGER, type Logger } from '@careflow/platform';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource, DataSourceOptions, EntitySchema } from 'typeorm';
import { createDataSource, ensureDatabase, migrateSchema } from './database.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import { PreparedStatements } from './prepared-statements.js';

export interface DatabaseModuleOptions {
  service: string;
  schema: string;
  entities: Array<Function | EntitySchema>;
  migrations: Function[];
  outbox?: OutboxOptions;
}

export const DB_SCHEMA = Symbol('DB_SCHEMA');

interface ResolvedOptions {
  url: string;
  migrate: boolean;
  poolSize: number;
  logger: Logger;
}

/**
 * The service's DataSource on its own schema. The database is created if missing and the
 * schema migrated (under an advisory lock) before anything else of the app starts.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forService(options: DatabaseModuleOptions): DynamicModule {
    let resolved: ResolvedOptions | undefined;
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [CommonConfig, LOGGER],
          useFactory: (config: CommonConfig, logger: Logger): DataSourceOptions => {
            const migrate = (config as CommonConfig & { MIGRATE_ON_START?: boolean }).MIGRATE_ON_START ?? true;
            resolved = { url: config.DATABASE_URL, migrate, poolSize: config.DATABASE_POOL_SIZE, logger };
            return { type: 'postgres', url: config.DATABASE_URL, schema: options.schema };
          },
          dataSourceFactory: async () => {
            if (!resolved) throw new Error('DatabaseModule: options were not resolved');
            const { url, migrate, poolSize, logger } = resolved;
            if (migrate) await ensureDatabase(url);
            const dataSource = createDataSource({
              url,
              schema: options.schema,
              entities: options.entities,
              migrations: options.migrations,
              poolSize,
              applicationName: options.service,
            });
            await dataSource.initialize();
            if (migrate) {
              const applied = await migrateSchema(dataSource, options.schema);
              if (applied.length > 0) logger.info({ schema: options.schema, applied }, 'migrations applied');
            }
            return dataSource;
          },
        }),
        TypeOrmModule.forFeature(options.entities),
      ],
      providers: [
        { provide: DB_SCHEMA, useValue: options.schema },
        { provide: Outbox, useValue: new Outbox(options.schema, options.outbox) },
        { provide: PreparedStatements, inject: [getDataSourceToken()], useFactory: (ds: DataSource) => new PreparedStatements(ds) },
      ],
      exports: [TypeOrmModule, DB_SCHEMA, Outbox, PreparedStatements],
    };
  }
}
