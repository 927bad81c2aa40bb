import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** What every QueueWorker of a service shares: its database, Redis, and tuning. */
export class WorkerRuntime {
  constructor(
    readonly dataSource: DataSource,
    readonly connection: Redis,
    readonly schema: string,
    readonly prefix: string,
    readonly logger: Logger,
    readonly concurrency: number,
    readonly lockDurationMs: number,
    readonly stalledIntervalMs: number,
    /** False in processes that only serve HTTP (WORKERS_ENABLED=false). */
    readonly enabled: boolean,
  ) {}
}
