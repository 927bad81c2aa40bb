import { isJobName, type JobEnvelope, type JobName } from '@careflow/contracts';
import { outboxChannel } from '@careflow/persistence';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { JobQueues, PublishableBatch, PublishableEvent } from './job-queues.js';

/** Commits heard of while lingering after which a pass is worth making at once (a job's worth at least). */
const LINGER_ENOUGH_COMMITS = 100;

/** Batches one confirm pass looks at, at most (see `confirmPass`). */
const MAX_CONFIRM_BATCHES = 50;

/** Events of one name carried by one job, at most. */
const MAX_EVENTS_PER_JOB = 100;

export interface OutboxRelayOptions {
  schema: string;
  databaseUrl: string;
  pollIntervalMs: number;
  confirmAfterMs: number;
  /**
   * Under load (commits arrived while a pass ran), how long the relay waits for more before
   * the next pass, at most: one pass and one job then carry the events of many commits, and
   * every consumer downstream pays its per-job costs once for all of them. Ends early once
   * LINGER_ENOUGH_COMMITS commits were heard of. Light load is not delayed: a commit to an
   * idle relay is published at once. Default 15 ms.
   */
  lingerMs?: number;
  batchSize?: number;
}

interface RawOutboxRow {
  id: string;
  seq: string;
  job_id?: string | null;
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
 * added to their queues, then marked published in the same transaction. The rows of one pass
 * that carry the same event go as one job (up to MAX_EVENTS_PER_JOB), whose id is the outbox
 * id of its first row; each row records that id (`job_id`). A consumer handles a job's events
 * in one transaction, so a busy pipeline pays its per-job and per-transaction costs once per
 * batch rather than once per event; under light load a job carries one event, as before. A
 * crash after the add and before the commit leaves the rows unpublished; the next pass adds
 * them again (grouped as it finds them) and the consumers' ledgers, keyed by event id, make
 * whatever was handled already a no-op.
 *
 * Confirming: Redis may lose jobs (no persistence, failover), so a published row is only
 * deleted once its job is seen completed. Rows unconfirmed after `confirmAfterMs` are looked
 * up by their job: completed → deleted; failed → marked failed (a dead letter for an
 * operator); missing → published again, one job per row; still waiting or running → looked
 * at again later.
 */
export class OutboxRelay {
  private readonly table: string;
  private listener?: pg.Client;
  private running = false;
  /** Set by NOTIFY; a pass that starts after it sees the new rows. */
  private notified = false;
  /** NOTIFYs heard since the last pass began. */
  private commitsHeard = 0;
  private readonly lingerMs: number;
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
    this.lingerMs = options.lingerMs ?? 15;
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
      const batches = batchesOf(publishable);
      await this.queues.publishBatches(batches);
      await this.markPublished(
        tx,
        batches.flatMap((b) => b.envelopes.map((e) => e.eventId)),
        batches.flatMap((b) => b.envelopes.map(() => b.id)),
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
      // Payloads stay in the table: only a job Redis lost needs its rows' payloads again.
      const rows: Array<Pick<RawOutboxRow, 'id' | 'job_id' | 'event'>> = await tx.query(
        `SELECT id, job_id, event FROM ${this.table}
          WHERE published_at IS NOT NULL AND failed_at IS NULL
            AND published_at < now() - ($1::int * interval '1 millisecond')
          ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [this.options.confirmAfterMs, this.batchSize],
      );
      // The rows of one job (a batch may be split over two passes: each part is judged by the same
      // job). A row whose event has no queue was dead-lettered when it was published.
      const jobs = new Map<string, { event: JobName; ids: string[] }>();
      for (const row of rows) {
        if (!isJobName(row.event)) continue;
        const job = row.job_id ?? row.id;
        const rowsOfJob = jobs.get(job);
        if (rowsOfJob) rowsOfJob.ids.push(row.id);
        else jobs.set(job, { event: row.event, ids: [row.id] });
      }
      const done: string[] = [];
      const lost: string[] = [];
      const waiting: string[] = [];
      // One lookup per job, all in flight together (the jobs of a busy minute number thousands).
      const entries = [...jobs];
      const states = await Promise.all(entries.map(([job, { event }]) => this.queues.statesOf(job, event)));
      for (const [i, [job, { event, ids }]] of entries.entries()) {
        const jobStates = states[i]!;
        if (jobStates.every((s) => s === 'completed')) {
          done.push(...ids);
        } else if (jobStates.includes('failed')) {
          const reason = (await this.queues.failureOf(job, event)) ?? 'job failed';
          await this.markFailed(tx, ids, reason);
          result.failed += ids.length;
        } else if (jobStates.includes('unknown')) {
          lost.push(...ids);
        } else {
          waiting.push(...ids);
        }
      }
      if (lost.length > 0) {
        // One job per row: a batch's rows may be split between passes, and a job id is added once.
        this.logger.warn({ count: lost.length, schema: this.options.schema }, 'outbox: jobs missing in Redis, publishing again');
        const lostRows: RawOutboxRow[] = await tx.query(
          `SELECT id, seq, event, payload, request_id, created_at FROM ${this.table} WHERE id = ANY($1::uuid[]) ORDER BY seq`,
          [lost],
        );
        const { publishable } = this.toEvents(lostRows);
        await this.queues.restore(publishable);
        await this.markPublished(tx, publishable.map((e) => e.id), publishable.map((e) => e.id));
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

  /**
   * Marks rows published, each with the id of the job that carries it. Overridable seam: the
   * crash tests kill the process here, between add and commit.
   */
  protected async markPublished(tx: EntityManager, ids: string[], jobIds: string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(
      `UPDATE ${this.table} o SET published_at = now(), publish_count = publish_count + 1, job_id = j.job_id
         FROM unnest($1::uuid[], $2::uuid[]) AS j(id, job_id) WHERE o.id = j.id`,
      [ids, jobIds],
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
      this.commitsHeard++;
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

  /** Waits up to lingerMs, less once enough commits were heard of or stop() was called. */
  private linger(): Promise<void> {
    if (!this.running || this.lingerMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, this.lingerMs);
      const waiters = this.waiters;
      const enough = (): void => {
        if (!this.running || this.commitsHeard >= LINGER_ENOUGH_COMMITS) finish();
      };
      function finish(): void {
        clearTimeout(timer);
        waiters.delete(enough);
        resolve();
      }
      waiters.add(enough);
      enough();
    });
  }

  private wake(): void {
    for (const finish of [...this.waiters]) finish();
  }

  private async publishLoop(): Promise<void> {
    while (this.running) {
      this.notified = false;
      this.commitsHeard = 0;
      try {
        if (!this.listener) await this.listen();
        while (this.running && (await this.publishBatch()) === this.batchSize) {
          /* a full batch: there may be more right away */
        }
      } catch (error) {
        this.logger.error({ err: error, schema: this.options.schema }, 'outbox: publish pass failed, retrying');
      }
      // Under load a NOTIFY arrives with every commit; lingering gathers the rows of many
      // commits into one pass and one job per event name instead of one each.
      if (this.notified) await this.linger();
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

/**
 * The jobs of one publishing pass: the events of each name, in outbox order, cut into batches
 * of at most MAX_EVENTS_PER_JOB, each named by its first event's outbox id.
 */
function batchesOf(events: readonly PublishableEvent[]): PublishableBatch[] {
  const byName = new Map<string, PublishableEvent[]>();
  for (const e of events) {
    const group = byName.get(e.event);
    if (group) group.push(e);
    else byName.set(e.event, [e]);
  }
  const batches: PublishableBatch[] = [];
  for (const group of byName.values()) {
    for (let i = 0; i < group.length; i += MAX_EVENTS_PER_JOB) {
      const part = group.slice(i, i + MAX_EVENTS_PER_JOB);
      batches.push({ id: part[0]!.id, event: part[0]!.event, envelopes: part.map((e) => e.envelope) });
    }
  }
  return batches;
}
