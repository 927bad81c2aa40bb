import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsIP, IsNotEmpty, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** Environment booleans: `true`/`1` are true, anything else false (implicit conversion would read "false" as true). */
export function parseBoolean(value: unknown): boolean {
  return value === true || value === 'true' || value === '1';
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every process of Careflow shares (API.md, "Configuration"). */
export class CommonConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/careflow';

  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /**
   * Prefix of every BullMQ key. Tests give each file its own so parallel files never see
   * each other's jobs; in production one deployment shares one prefix.
   */
  @Matches(/^[a-zA-Z0-9_-]+$/)
  QUEUE_PREFIX: string = 'careflow';

  /** Size of the Postgres connection pool of this process. */
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE: number = 10;

  /** Jobs one worker process handles at once, per queue. */
  @IsInt()
  @Min(1)
  @Max(500)
  WORKER_CONCURRENCY: number = 20;

  /** How long a worker holds a job before another may take it over (it renews while alive). */
  @IsInt()
  @Min(500)
  QUEUE_LOCK_DURATION_MS: number = 30_000;

  /** How often workers look for jobs whose worker died (lock expired) and put them back. */
  @IsInt()
  @Min(200)
  QUEUE_STALLED_INTERVAL_MS: number = 30_000;

  /**
   * Whether this process consumes its service's queues. A service scales its HTTP side and its
   * workers apart by running replicas with `false` (API only) beside replicas with `true`.
   */
  @Transform(({ obj, key }) => parseBoolean((obj as Record<string, unknown>)[key]))
  @IsBoolean()
  WORKERS_ENABLED: boolean = true;

  /**
   * Whether this process runs its service's outbox relay (publishing committed events to
   * BullMQ). Replicas share the work; an API-only replica beside worker replicas may leave it
   * to them (`false`), sparing one more process woken by every commit.
   */
  @Transform(({ obj, key }) => parseBoolean((obj as Record<string, unknown>)[key]))
  @IsBoolean()
  OUTBOX_RELAY_ENABLED: boolean = true;

  /**
   * Under load, how long the outbox relay waits for more commits before its next pass, at most
   * (it ends sooner once a hundred commits were heard of): the events of many commits then go
   * as one job per event name, and consumers pay per-job costs once for all of them. A commit
   * to an idle relay is published at once; this is latency added per hop only while busy.
   */
  @IsInt()
  @Min(0)
  @Max(5_000)
  OUTBOX_RELAY_LINGER_MS: number = 200;

  /** The outbox relay wakes on NOTIFY; this poll only covers a lost notification. */
  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS: number = 1_000;

  /**
   * A published outbox row is kept until its jobs are seen completed. Rows still unconfirmed
   * after this long are checked against Redis and re-published if Redis lost the job.
   */
  @IsInt()
  @Min(100)
  OUTBOX_CONFIRM_AFTER_MS: number = 30_000;
}

/**
 * A process that serves the API: the gateway and every backend service. They share the secret
 * the gateway presents to services, and how long a health answer is reused.
 */
export class ApiProcessConfig extends CommonConfig {
  @IsString()
  @IsNotEmpty({ message: 'INTERNAL_TOKEN must be set (npm start generates one per start)' })
  @MinLength(16)
  INTERNAL_TOKEN!: string;

  /**
   * How long /health and /health/ready reuse their answer. They are open to anyone and ask
   * Postgres and Redis (the gateway's also every service); callers arriving together share one
   * check in any case.
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  HEALTH_CACHE_MS: number = 2_000;
}

/** A backend service: reachable only from the gateway, which presents INTERNAL_TOKEN. */
export class ServiceConfig extends ApiProcessConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT!: number;

  /**
   * The address the service listens on. Loopback by default: only the gateway calls a
   * service, and where they run side by side (npm start) nothing else should reach it.
   * Containers set 0.0.0.0 (the Dockerfile, docker-compose.yml, deploy/k8s).
   */
  @IsIP(undefined, { message: 'HOST must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::)' })
  HOST: string = '127.0.0.1';

  /** Lets an operator stop a replica from running migrations (a separate job runs them). */
  @Transform(({ obj, key }) => parseBoolean((obj as Record<string, unknown>)[key]))
  @IsBoolean()
  MIGRATE_ON_START: boolean = true;
}
