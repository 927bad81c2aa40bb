import { DB_SCHEMA } from '@careflow/persistence';
import { CommonConfig, LOGGER, type Logger } from '@careflow/platform';
import {
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { JobQueues } from './job-queues.js';
import { OutboxRelay } from './outbox-relay.js';
import { createRedisConnection } from './redis.js';
import { WorkerRuntime } from './worker-runtime.js';

export const REDIS = Symbol('REDIS');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  service: string;
  /** Run the outbox relay in this process (default true; OUTBOX_RELAY_ENABLED=false turns it off too). */
  relay?: boolean;
  /** Run the queue workers in this process (default true). */
  workers?: boolean;
}

/** Starts the relay once the app is up; stops it and closes Redis on shutdown. */
@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly queues: JobQueues,
    private readonly relay: OutboxRelay,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly config: CommonConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.relay !== false && this.config.OUTBOX_RELAY_ENABLED) await this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
    this.redis.disconnect();
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forService(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: REDIS,
          inject: [CommonConfig],
          useFactory: (config: CommonConfig) => createRedisConnection(config.REDIS_URL, options.service),
        },
        {
          provide: JobQueues,
          inject: [REDIS, CommonConfig],
          useFactory: (redis: Redis, config: CommonConfig) => new JobQueues(redis, config.QUEUE_PREFIX),
        },
        {
          provide: OutboxRelay,
          inject: [getDataSourceToken(), JobQueues, CommonConfig, DB_SCHEMA, LOGGER],
          useFactory: (ds: DataSource, queues: JobQueues, config: CommonConfig, schema: string, logger: Logger) =>
            new OutboxRelay(ds, queues, {
              schema,
              databaseUrl: config.DATABASE_URL,
              pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
              confirmAfterMs: config.OUTBOX_CONFIRM_AFTER_MS,
              lingerMs: config.OUTBOX_RELAY_LINGER_MS,
            }, logger),
        },
        {
          provide: WorkerRuntime,
          inject: [getDataSourceToken(), REDIS, CommonConfig, DB_SCHEMA, LOGGER],
          useFactory: (ds: DataSource, redis: Redis, config: CommonConfig, schema: string, logger: Logger) =>
            new WorkerRuntime(
              ds,
              redis,
              schema,
              config.QUEUE_PREFIX,
              logger,
              config.WORKER_CONCURRENCY,
              config.QUEUE_LOCK_DURATION_MS,
              config.QUEUE_STALLED_INTERVAL_MS,
              options.workers !== false && config.WORKERS_ENABLED,
            ),
        },
        MessagingLifecycle,
      ],
      exports: [REDIS, JobQueues, OutboxRelay, WorkerRuntime],
    };
  }
}
