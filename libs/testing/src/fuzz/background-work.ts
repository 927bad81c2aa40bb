import { ALL_QUEUES } from '@careflow/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { DatabaseFingerprint, Fingerprint } from './database-fingerprint.js';

export interface SettleOptions {
  /** How long the tables must stay unchanged with nothing queued. */
  quietMs?: number;
  timeoutMs?: number;
}

/**
 * The work an accepted request leaves behind (outbox rows to relay, jobs to run, and the
 * writes those make), so that a test can wait for it to finish before the next request's
 * "before" snapshot. Delayed jobs (timers, retries with backoff) are not waited for: they may
 * be hours away; the fingerprint's job ledgers tell when one ran in between.
 */
export class BackgroundWork {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly outboxSql: string | undefined,
    private readonly redis: Redis,
    private readonly queues: readonly Queue[],
    private readonly consumed: readonly Queue[],
  ) {}

  static async discover(pool: pg.Pool, redisUrl: string, queuePrefix: string): Promise<BackgroundWork> {
    const { rows } = await pool.query<{ schema: string }>(`SELECT schemaname AS schema FROM pg_tables WHERE tablename = 'outbox' ORDER BY 1`);
    const counts = rows.map((r) => `SELECT count(*) AS n FROM ${pg.escapeIdentifier(r.schema)}.outbox WHERE published_at IS NULL AND failed_at IS NULL`);
    const outboxSql = counts.length > 0 ? `SELECT sum(n)::int AS n FROM (${counts.join(' UNION ALL ')}) unpublished` : undefined;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    // Only queues someone consumes: jobs for a consumer still to be built wait forever.
    const queues = ALL_QUEUES.map((name) => new Queue(name, { connection: redis, prefix: queuePrefix }));
    const consumed = await Promise.all(queues.map(async (q) => ((await q.getWorkersCount()) > 0 ? q : undefined)));
    return new BackgroundWork(pool, outboxSql, redis, queues, consumed.filter((q): q is Queue => q !== undefined));
  }

  /** Outbox rows not yet relayed plus jobs waiting or running. */
  async pending(): Promise<number> {
    const [outbox, ...jobs] = await Promise.all([
      this.outboxSql ? this.pool.query<{ n: number }>(this.outboxSql).then((r) => r.rows[0]?.n ?? 0) : 0,
      ...this.consumed.map(async (q) => {
        const counts = await q.getJobCounts('wait', 'active', 'prioritized', 'waiting-children');
        return Object.values(counts).reduce((a, b) => a + b, 0);
      }),
    ]);
    return [outbox, ...jobs].reduce((a, b) => a + b, 0);
  }

  /**
   * Waits until nothing is pending and the tables have not changed for `quietMs`, counted
   * from `latest` when given (a fingerprint just taken). Returns the settled fingerprint, or
   * undefined when the system is still busy at `timeoutMs`. Pending work is tracked exactly
   * (an outbox row exists until its job does, a job until its writes are committed), so the
   * quiet period only guards against writers that bypass the outbox, and can be short.
   */
  async settle(fingerprint: DatabaseFingerprint, latest?: Fingerprint, { quietMs = 50, timeoutMs = 15_000 }: SettleOptions = {}): Promise<Fingerprint | undefined> {
    const deadline = Date.now() + timeoutMs;
    let last = latest ?? (await fingerprint.take());
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      const [pending, current] = await Promise.all([this.pending(), fingerprint.take()]);
      if (pending > 0 || JSON.stringify(current.tables) !== JSON.stringify(last.tables)) quietSince = Date.now();
      else if (Date.now() - quietSince >= quietMs) return current;
      last = current;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
    this.redis.disconnect();
  }
}
