import { JOB_ROUTES, RETIRED_QUEUE_NAMES, isJobName, type QueueJob, type QueueName } from '@careflow/contracts';
import { RequestContext } from '@careflow/platform';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
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
   * True for a job this worker has nothing to do for, decided before any transaction: it is
   * completed without one (and without a ledger row, so a redelivery decides again). For a
   * queue most of whose jobs need nothing (events no webhook endpoint subscribes to), where a
   * transaction per job would cost more than the work.
   */
  protected async skip(_job: QueueJob<Q>): Promise<boolean> {
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

  /** Exposed for tests that drive a worker directly. */
  async process(job: Pick<Job, 'id' | 'name' | 'data'> & Partial<Pick<Job, 'attemptsMade' | 'opts'>>): Promise<'handled' | 'duplicate'> {
    const name = job.name;
    if (!isJobName(name) || !(JOB_ROUTES[name] as readonly string[]).includes(this.queue)) {
      throw new UnrecoverableError(`job ${name} is not routed to queue ${this.queue}`);
    }
    const envelope = await validateEnvelope(name, job.data);
    const typed = { name, envelope } as unknown as QueueJob<Q>;
    if (await this.skip(typed)) {
      this.runtime.logger.debug({ queue: this.queue, eventId: envelope.eventId, job: name }, 'job needs nothing: completed');
      return 'handled';
    }
    if (!this.transactional) {
      await RequestContext.run({ requestId: envelope.requestId ?? `job:${envelope.eventId}` }, () =>
        this.handle(typed, this.runtime.dataSource.manager, { attemptsMade: (job as Job).attemptsMade ?? 0, attempts: (job as Job).opts?.attempts ?? 1 }),
      );
      return 'handled';
    }
    const ledger = `${pg.escapeIdentifier(this.runtime.schema)}.processed_jobs`;
    let afterCommit: AfterCommit | undefined;
    const outcome = await RequestContext.run({ requestId: envelope.requestId ?? `job:${envelope.eventId}` }, () =>
      this.runtime.dataSource.transaction(async (tx) => {
        // A job counts once whichever name of its queue it came under (a retired one, or the
        // outbox re-publishing it under the current name).
        const claimed: unknown[] = await tx.query(
          `INSERT INTO ${ledger} (queue, job_id, job_name)
           SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM ${ledger} WHERE queue = ANY($4::text[]) AND job_id = $2)
           ON CONFLICT DO NOTHING RETURNING 1`,
          [this.queue, envelope.eventId, name, this.retiredNames],
        );
        if (claimed.length === 0) {
          this.runtime.logger.debug({ queue: this.queue, eventId: envelope.eventId, job: name }, 'duplicate job skipped');
          return 'duplicate' as const;
        }
        afterCommit = (await this.handle(typed, tx)) ?? undefined;
        this.runtime.logger.debug({ queue: this.queue, eventId: envelope.eventId, job: name }, 'job handled');
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
