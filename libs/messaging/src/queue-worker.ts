import { JOB_ROUTES, RETIRED_QUEUE_NAMES, isJobName, type QueueJob, type QueueName } from '@careflow/contracts';
import { RequestContext } from '@careflow/platform';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { isBatchData } from './job-queues.js';
import { validateEnvelope } from './job-validation.js';
import { WorkerRuntime } from './worker-runtime.js';

export type AfterCommit = () => Promise<void>;

/** Which delivery of a job this is (non-transactional workers decide on retries themselves). */
export interface JobAttempt {
  attemptsMade: number;
  attempts: number;
}

/**
 * The consumer of one queue. Each job is validated against its contract, then handled in a
 * Postgres transaction that first records the job id in the service's processed_jobs ledger:
 * a job delivered twice (retry after a crash, an outbox re-publish) finds its id there and
 * changes nothing, and a worker killed mid-job leaves neither the ledger row nor the
 * handler's writes behind, so the redelivery does the work once.
 */
export abstract class QueueWorker<Q extends QueueName> implements OnApplicationBootstrap, OnApplicationShutdown {
  protected abstract readonly queue: Q;
  /**
   * Jobs are handled inside a transaction guarded by the processed-jobs ledger. A worker whose
   * effect lies outside Postgres (sending mail) turns this off and keeps its own state machine.
   */
  protected readonly transactional: boolean = true;
  private workers: Worker[] = [];

  /** Jobs handled at once by this worker (WORKER_CONCURRENCY unless the queue's work needs another figure). */
  protected get concurrency(): number {
    return this.runtime.concurrency;
  }

  constructor(protected readonly runtime: WorkerRuntime) {}

  /**
   * Handle one job inside the transaction `tx`; switch over job.name exhaustively. May return
   * work to run once the transaction committed (scheduling timers for what it wrote).
   */
  protected abstract handle(job: QueueJob<Q>, tx: EntityManager, attempt?: JobAttempt): Promise<void | AfterCommit>;

  /**
   * True when no job named `name` needs anything now, decided from the name alone before its
   * events are even validated: such a job (all its events) is completed at once, without a
   * transaction or a ledger row (so a redelivery decides again). For a queue most of whose
   * traffic needs nothing (the webhook fan-in, for event types no endpoint subscribes to),
   * where a transaction per job would cost more than the work.
   */
  protected async skipName(_name: QueueJob<Q>['name']): Promise<boolean> {
    return false;
  }

  /** The queue's earlier names, drained as well: jobs published before a rename are not stranded. */
  private get retiredNames(): readonly string[] {
    return RETIRED_QUEUE_NAMES[this.queue] ?? [];
  }

  onApplicationBootstrap(): void {
    if (!this.runtime.enabled) return;
    const { connection, prefix, lockDurationMs, stalledIntervalMs } = this.runtime;
    const concurrency = this.concurrency;
    for (const name of [this.queue, ...this.retiredNames]) {
      const worker = new Worker(name, (job) => this.process(job), {
        connection: connection.duplicate({ connectionName: `${name}-worker` }),
        prefix,
        concurrency,
        lockDuration: lockDurationMs,
        stalledInterval: stalledIntervalMs,
        // A job whose worker died is given back this many times before it counts as failed.
        maxStalledCount: 5,
      });
      worker.on('failed', (job, error) => {
        this.runtime.logger.error({ queue: name, jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err: error }, 'job failed');
      });
      worker.on('error', (error) => this.runtime.logger.error({ queue: name, err: error }, 'worker error'));
      this.workers.push(worker);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }

  /**
   * Handles a batch of jobs (events of one name that arrived as one job) inside `tx`. By
   * default each is handled in turn, in the context of its own request; a feature whose work
   * is cheaper per batch (one statement for all its rows) overrides this. What it returns runs
   * after the commit.
   */
  protected async handleBatch(jobs: ReadonlyArray<QueueJob<Q>>, tx: EntityManager): Promise<void | AfterCommit> {
    const after: AfterCommit[] = [];
    for (const job of jobs) {
      const pending = await RequestContext.run({ requestId: requestIdOf(job.envelope) }, () => this.handle(job, tx));
      if (pending) after.push(pending);
    }
    if (after.length === 0) return;
    return async () => {
      for (const run of after) await run();
    };
  }

  /**
   * Exposed for tests that drive a worker directly. A job carries one event or, published
   * together by the outbox relay, several of one name (`{ batch: [...] }`): they are handled
   * in one transaction with one ledger statement. Should that transaction fail, each event is
   * tried again in a transaction of its own, so one bad event holds back no other: the job
   * then fails for BullMQ to retry, and the retry finds the others in the ledger.
   */
  async process(job: Pick<Job, 'id' | 'name' | 'data'> & Partial<Pick<Job, 'attemptsMade' | 'opts'>>): Promise<'handled' | 'duplicate'> {
    const name = job.name;
    if (!isJobName(name) || !(JOB_ROUTES[name] as readonly string[]).includes(this.queue)) {
      throw new UnrecoverableError(`job ${name} is not routed to queue ${this.queue}`);
    }
    const attempt: JobAttempt = { attemptsMade: (job as Job).attemptsMade ?? 0, attempts: (job as Job).opts?.attempts ?? 1 };
    if (await this.skipName(name as QueueJob<Q>['name'])) {
      this.runtime.logger.debug({ queue: this.queue, jobId: job.id, job: name }, 'no job of this name needs anything: completed');
      return 'handled';
    }
    // One event is a batch of one. An event that breaks its contract fails alone, after the others are handled.
    const raws = isBatchData(job.data) ? job.data.batch : [job.data];
    const settled = await Promise.allSettled(raws.map((raw) => validateEnvelope(name, raw)));
    const invalid = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    const valid = settled.flatMap((r) => (r.status === 'fulfilled' ? [{ name, envelope: r.value } as unknown as QueueJob<Q>] : []));
    let outcome: 'handled' | 'duplicate' = 'handled';
    if (valid.length > 0) {
      try {
        outcome = await this.run(valid, attempt);
      } catch (error) {
        if (valid.length === 1) throw error;
        this.runtime.logger.warn({ queue: this.queue, job: name, events: valid.length, err: error }, 'batch failed: handling its events one by one');
        let first: unknown;
        for (const one of valid) {
          await this.run([one], attempt).catch((e: unknown) => {
            this.runtime.logger.error({ queue: this.queue, eventId: one.envelope.eventId, job: name, err: e }, 'event of a batch failed');
            first ??= e;
          });
        }
        if (first !== undefined) throw first;
      }
    }
    if (invalid.length > 0) throw new UnrecoverableError(invalid.map((e) => e.message).join(' | '));
    return outcome;
  }

  /**
   * Handles jobs in one transaction guarded by the ledger; a non-transactional worker (which
   * keeps its own state per item) handles them side by side.
   */
  private async run(jobs: Array<QueueJob<Q>>, attempt: JobAttempt): Promise<'handled' | 'duplicate'> {
    const first = jobs[0]!;
    if (!this.transactional) {
      const settled = await Promise.allSettled(
        jobs.map((job) => RequestContext.run({ requestId: requestIdOf(job.envelope) }, () => this.handle(job, this.runtime.dataSource.manager, attempt))),
      );
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return 'handled';
    }
    const ledger = `${pg.escapeIdentifier(this.runtime.schema)}.processed_jobs`;
    let afterCommit: AfterCommit | undefined;
    const context = jobs.length === 1 ? requestIdOf(first.envelope) : `batch:${first.envelope.eventId}`;
    const outcome = await RequestContext.run({ requestId: context }, () =>
      this.runtime.dataSource.transaction(async (tx) => {
        // A job counts once whichever name of its queue it came under (a retired one, or the
        // outbox re-publishing it under the current name), and whether alone or in a batch.
        const claimed: Array<{ job_id: string }> = await tx.query(
          `INSERT INTO ${ledger} (queue, job_id, job_name)
           SELECT $1, j.id, $3 FROM unnest($2::text[]) AS j(id)
            WHERE NOT EXISTS (SELECT 1 FROM ${ledger} WHERE queue = ANY($4::text[]) AND job_id = j.id)
           ON CONFLICT DO NOTHING RETURNING job_id`,
          [this.queue, jobs.map((j) => j.envelope.eventId), first.name, this.retiredNames],
        );
        const mine = new Set(claimed.map((r) => r.job_id));
        const todo = jobs.filter((j) => mine.has(j.envelope.eventId));
        if (todo.length < jobs.length) {
          this.runtime.logger.debug({ queue: this.queue, duplicates: jobs.length - todo.length, job: first.name }, 'duplicate jobs skipped');
        }
        if (todo.length === 0) return 'duplicate' as const;
        afterCommit =
          (todo.length === 1
            ? await RequestContext.run({ requestId: requestIdOf(todo[0]!.envelope) }, () => this.handle(todo[0]!, tx))
            : await this.handleBatch(todo, tx)) ?? undefined;
        this.runtime.logger.debug({ queue: this.queue, job: first.name, events: todo.length }, 'job handled');
        return 'handled' as const;
      }),
    );
    // Work that must follow the commit (scheduling timers). If it fails, the job fails and is
    // retried, but the ledger makes the retry a no-op: such work must be rebuildable (the
    // tickets' timer reconciler), never the only copy of a decision.
    const pending = afterCommit as AfterCommit | undefined;
    if (pending) await pending();
    return outcome;
  }
}

function requestIdOf(envelope: { eventId: string; requestId?: string }): string {
  return envelope.requestId ?? `job:${envelope.eventId}`;
}
