import {
  JOB_ROUTES,
  type JobEnvelope,
  type JobName,
  type QueueName,
} from '@careflow/contracts';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/** Retention long enough for the outbox relay to confirm completion before the job is gone. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 200_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export type JobState = Awaited<ReturnType<Queue['getJobState']>>;

export interface PublishableEvent {
  /** The outbox id: becomes the job id in every queue the event is routed to. */
  id: string;
  event: JobName;
  envelope: JobEnvelope;
  /** Milliseconds before the job may run (timers). */
  delay?: number;
}

/**
 * Several events of one name published as one job: its id is the first event's outbox id, its
 * data `{ batch: [envelope, …] }`. The consumer handles them in one transaction and each
 * event's id stays its idempotency key, so a batch and the same events one by one (a restore)
 * never do anything twice.
 */
export interface PublishableBatch {
  id: string;
  event: JobName;
  envelopes: JobEnvelope[];
}

/** The data of a batch job. */
export interface BatchData {
  batch: unknown[];
}

export function isBatchData(data: unknown): data is BatchData {
  return typeof data === 'object' && data !== null && Array.isArray((data as BatchData).batch);
}

/** The producer side of BullMQ: one Queue object per queue name, sharing one connection. */
export class JobQueues {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Adds one job per destination queue of each event. Adding a job id that already exists is
   * a no-op in BullMQ, which makes publishing the same outbox row twice harmless.
   */
  async publish(events: readonly PublishableEvent[]): Promise<void> {
    const byQueue = new Map<QueueName, Array<{ name: string; data: JobEnvelope; opts: JobsOptions }>>();
    for (const e of events) {
      for (const queueName of JOB_ROUTES[e.event]) {
        const jobs = byQueue.get(queueName) ?? [];
        jobs.push({ name: e.event, data: e.envelope, opts: { jobId: e.id, ...(e.delay ? { delay: Math.max(0, e.delay) } : {}) } });
        byQueue.set(queueName, jobs);
      }
    }
    await Promise.all([...byQueue].map(([name, jobs]) => this.queue(name).addBulk(jobs)));
  }

  /**
   * Adds one job per destination queue of each batch (a batch of one is a plain job, as
   * `publish` adds it). Idempotent like `publish`: the job id is the batch's id.
   */
  async publishBatches(batches: readonly PublishableBatch[]): Promise<void> {
    const byQueue = new Map<QueueName, Array<{ name: string; data: JobEnvelope | BatchData; opts: JobsOptions }>>();
    for (const b of batches) {
      const data = b.envelopes.length === 1 ? b.envelopes[0]! : { batch: b.envelopes };
      for (const queueName of JOB_ROUTES[b.event]) {
        const jobs = byQueue.get(queueName) ?? [];
        jobs.push({ name: b.event, data, opts: { jobId: b.id } });
        byQueue.set(queueName, jobs);
      }
    }
    await Promise.all([...byQueue].map(([name, jobs]) => this.queue(name).addBulk(jobs)));
  }

  /**
   * Publishes events whose jobs Redis may have lost, repairing half-lost ones: a job whose hash
   * survived without its place in any list (state "unknown") would make a plain add a no-op
   * (its id exists) and stay stuck forever, so it is removed first. Jobs in a known state are
   * left alone. One state lookup per job: for repair passes, not the hot path.
   */
  async restore(events: readonly PublishableEvent[]): Promise<number> {
    const missing: PublishableEvent[] = [];
    for (const e of events) {
      const routes = JOB_ROUTES[e.event];
      const states = await Promise.all(routes.map((q) => this.queue(q).getJobState(e.id)));
      if (!states.includes('unknown')) continue;
      await Promise.all(routes.map((q, i) => (states[i] === 'unknown' ? this.queue(q).remove(e.id).catch(() => 0) : 0)));
      missing.push(e);
    }
    if (missing.length > 0) await this.publish(missing);
    return missing.length;
  }

  /** The state of an event's job in each queue it is routed to. */
  async statesOf(id: string, event: JobName): Promise<JobState[]> {
    return Promise.all(JOB_ROUTES[event].map((q) => this.queue(q).getJobState(id)));
  }

  async failureOf(id: string, event: JobName): Promise<string | undefined> {
    for (const q of JOB_ROUTES[event]) {
      const job = await this.queue(q).getJob(id);
      if (job?.failedReason) return `${q}: ${job.failedReason}`;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
