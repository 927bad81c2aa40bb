import { isJobName, type JobEnvelope } from '@careflow/contracts';
import { outboxChannel } from '@careflow/persistence';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { JobQueues, PublishableEvent } from './job-queues.js';

/** How long a woken relay waits for more commits before publishing (latency it adds at most). */
const COALESCE_MS = 15;

/** Batches one confirm pass looks at, at most (see `confirmPass`). */
const MAX_CONFIRM_BATCHES = 50;

export interface OutboxRelayOptions {
  schema: string;
  databaseUrl: string;
  pollIntervalMs: number;
  confirmAfterMs: number;
  batchSize?: number;
}

interface RawOutboxRow {
  id: string;
  seq: string;
  event: string;
  payload: Record<string, unknown>;
  request_id: string | null;
  created_at: Date;
}

export interface ConfirmResult {
  confirmed: number;
  republished: number;
  failed: number;
  pending: number;
}

/**
 * Moves committed outbox rows of one schema to BullMQ.
 *
 * Publishing: rows are claimed with FOR UPDATE SKIP LOCKED (so replicas share the work),
 * added to their queues with the outbox id as job id, then marked published in the same
 * transaction. A crash after the add and before the commit leaves the rows unpublished; the
 * next pass adds them again and BullMQ ignores the known job ids.
 *
 * Confirming: Redis may lose jobs (no persistence, failover), so a published row is only
 * deleted once its jobs are seen completed. Rows unconfirmed after `confirmAfterMs` are
 * looked up: completed → deleted; failed → marked failed (a dead letter for an operator);
 * missing → published again; still waiting or running → looked at again later.
 */
export class OutboxRelay {
  private readonly table: string;
  private listener?: pg.Client;
  private running = false;
  /** Set by NOTIFY; a pass that starts after it sees the new rows. */
  private notified = false;
  private readonly waiters = new Set<() => void>();
  private readonly stopWaiters = new Set<() => void>();
  private loops: Promise<void>[] = [];
  private readonly batchSize: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
  ) {
    this.table = `${pg.escapeIdentifier(options.schema)}.outbox`;
    this.batchSize = options.batchSize ?? 200;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loops = [this.publishLoop(), this.confirmLoop()];
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    for (const finish of [...this.stopWaiters]) finish();
    await Promise.allSettled(this.loops);
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Publishes one batch of unpublished rows; returns how many it published. */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      await this.planForQueueScans(tx);
      const rows: RawOutboxRow[] = await tx.query(
        `SELECT id, seq, event, payload, request_id, created_at FROM ${this.table}
          WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      const { publishable, invalid } = this.toEvents(rows);
      await this.queues.publish(publishable);
      await this.markPublished(
        tx,
        publishable.map((e) => e.id),
      );
      await this.markFailed(tx, invalid, 'unknown event name: no queue is routed for it');
      return rows.length;
    });
  }

  /** Checks published rows older than confirmAfterMs against Redis (see class comment). */
  async confirmBatch(): Promise<ConfirmResult> {
    return this.dataSource.transaction(async (tx) => {
      await this.planForQueueScans(tx);
      const result: ConfirmResult = { confirmed: 0, republished: 0, failed: 0, pending: 0 };
      const rows: RawOutboxRow[] = await tx.query(
        `SELECT id, seq, event, payload, request_id, created_at FROM ${this.table}
          WHERE published_at IS NOT NULL AND failed_at IS NULL
            AND published_at < now() - ($1::int * interval '1 millisecond')
          ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [this.options.confirmAfterMs, this.batchSize],
      );
      const { publishable } = this.toEvents(rows);
      const done: string[] = [];
      const lost: PublishableEvent[] = [];
      const waiting: string[] = [];
      // One lookup per row, all in flight together (the rows of a busy minute number thousands).
      const states = await Promise.all(publishable.map((e) => this.queues.statesOf(e.id, e.event)));
      for (const [i, e] of publishable.entries()) {
        const jobStates = states[i]!;
        if (jobStates.every((s) => s === 'completed')) {
          done.push(e.id);
        } else if (jobStates.includes('failed')) {
          const reason = (await this.queues.failureOf(e.id, e.event)) ?? 'job failed';
          await this.markFailed(tx, [e.id], reason);
          result.failed++;
        } else if (jobStates.includes('unknown')) {
          lost.push(e);
        } else {
          waiting.push(e.id);
        }
      }
      if (lost.length > 0) {
        this.logger.warn({ count: lost.length, schema: this.options.schema }, 'outbox: jobs missing in Redis, publishing again');
        await this.queues.restore(lost);
        await this.markPublished(tx, lost.map((e) => e.id));
      }
      // Still queued or running: look again after another confirmAfterMs.
      if (waiting.length > 0) {
        await tx.query(`UPDATE ${this.table} SET published_at = now() WHERE id = ANY($1::uuid[])`, [waiting]);
      }
      if (done.length > 0) {
        await tx.query(`DELETE FROM ${this.table} WHERE id = ANY($1::uuid[])`, [done]);
      }
      result.confirmed = done.length;
      result.republished = lost.length;
      result.pending = waiting.length;
      return result;
    });
  }

  /**
   * The outbox is a queue table: every row is updated, then deleted, within seconds, so its
   * partial indexes fill with entries of dead rows between vacuums. A plain index scan marks
   * each one it meets as dead and never visits it again; a bitmap scan (which the planner
   * picks from stale estimates) marks nothing and visits every dead row on every pass: 5 ms
   * instead of 0.1 ms for an empty pass after a burst of 9 000 events. So no bitmap scans here.
   */
  private async planForQueueScans(tx: EntityManager): Promise<void> {
    await tx.query('SET LOCAL enable_bitmapscan = off');
  }

  /**
   * One confirm pass: batches until a batch comes back short, so confirming keeps up with a
   * relay publishing thousands of rows a minute (one batch per pass could not: the table grew
   * without end under sustained load). Rows looked at again later go to the back of the order;
   * at most `MAX_CONFIRM_BATCHES` batches, so a pass always ends.
   */
  async confirmPass(): Promise<ConfirmResult> {
    const total: ConfirmResult = { confirmed: 0, republished: 0, failed: 0, pending: 0 };
    for (let i = 0; i < MAX_CONFIRM_BATCHES; i++) {
      const batch = await this.confirmBatch();
      for (const k of Object.keys(total) as Array<keyof ConfirmResult>) total[k] += batch[k];
      if (batch.confirmed + batch.republished + batch.failed + batch.pending < this.batchSize) break;
    }
    return total;
  }

  /** Overridable seam: the crash tests kill the process here, between add and commit. */
  protected async markPublished(tx: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(
      `UPDATE ${this.table} SET published_at = now(), publish_count = publish_count + 1 WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  private async markFailed(tx: EntityManager, ids: string[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    this.logger.error({ ids, reason, schema: this.options.schema }, 'outbox: event dead-lettered');
    await tx.query(
      `UPDATE ${this.table} SET failed_at = now(), failure = $2, published_at = coalesce(published_at, now())
        WHERE id = ANY($1::uuid[])`,
      [ids, reason.slice(0, 2000)],
    );
  }

  private toEvents(rows: RawOutboxRow[]): { publishable: PublishableEvent[]; invalid: string[] } {
    const publishable: PublishableEvent[] = [];
    const invalid: string[] = [];
    for (const row of rows) {
      if (!isJobName(row.event)) {
        invalid.push(row.id);
        continue;
      }
      const envelope: JobEnvelope = {
        eventId: row.id,
        occurredAt: row.created_at,
        requestId: row.request_id ?? undefined,
        data: row.payload,
      };
      publishable.push({ id: row.id, event: row.event, envelope });
    }
    return { publishable, invalid };
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: `${this.options.schema}-outbox-relay` });
    client.on('notification', () => {
      this.notified = true;
      this.wake();
    });
    client.on('error', (error) => {
      // Polling carries on; the next start of the listener happens on the next loop turn.
      this.logger.warn({ err: error }, 'outbox: LISTEN connection lost, polling until it is back');
      this.listener = undefined;
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(outboxChannel(this.options.schema))}`);
      this.listener = client;
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox: LISTEN unavailable, polling');
      await client.end().catch(() => undefined);
    }
  }

  /** Waits up to `ms`, returning early when a notification arrived or stop() was called. */
  private sleep(ms: number): Promise<void> {
    if (this.notified || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      const waiters = this.waiters;
      function finish(): void {
        clearTimeout(timer);
        waiters.delete(finish);
        resolve();
      }
      waiters.add(finish);
    });
  }

  private wake(): void {
    for (const finish of [...this.waiters]) finish();
  }

  private async publishLoop(): Promise<void> {
    while (this.running) {
      this.notified = false;
      try {
        if (!this.listener) await this.listen();
        while (this.running && (await this.publishBatch()) === this.batchSize) {
          /* a full batch: there may be more right away */
        }
      } catch (error) {
        this.logger.error({ err: error, schema: this.options.schema }, 'outbox: publish pass failed, retrying');
      }
      // Under load a NOTIFY arrives with every commit; waiting a moment gathers the rows of
      // many commits into one batch (one transaction, one addBulk) instead of one pass each.
      if (this.notified) await new Promise((r) => setTimeout(r, COALESCE_MS));
      await this.sleep(this.options.pollIntervalMs);
    }
  }

  private async confirmLoop(): Promise<void> {
    const interval = Math.max(100, Math.min(this.options.confirmAfterMs / 2, 10_000));
    while (this.running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, interval);
        const waiters = this.stopWaiters;
        function finish(): void {
          clearTimeout(timer);
          waiters.delete(finish);
          resolve();
        }
        waiters.add(finish);
      });
      if (!this.running) break;
      try {
        await this.confirmPass();
      } catch (error) {
        this.logger.error({ err: error, schema: this.options.schema }, 'outbox: confirm pass failed, retrying');
      }
    }
  }
}
