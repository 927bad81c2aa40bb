import { JOB_ROUTES, QueueName } from '@careflow/contracts';
import { JobQueues, OutboxRelay, createRedisConnection } from '@careflow/messaging';
import { Outbox, createDataSource } from '@careflow/persistence';
import { createLogger } from '@careflow/platform';
import { createTestDatabase, deleteKeys, TEST_REDIS_URL, uniqueQueuePrefix, REPO_ROOT, type TestDatabase } from '@careflow/testing';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * The outbox keeps its promise when the relay dies at the worst moment and when Redis loses
 * the job: the event reaches its queue, exactly one job per queue, and the row is kept until
 * the job is known to be completed.
 */
describe('outbox relay', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let redis: Redis;
  let prefix: string;
  let queues: JobQueues;
  let relay: OutboxRelay;
  let incoming: Queue;
  const outbox = new Outbox('segmentation');
  const logger = createLogger('test', 'silent');

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createDataSource({ url: db.url, schema: 'segmentation', entities: [], migrations: [], applicationName: 'relay-test' });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function freshQueues(): Promise<void> {
    prefix = uniqueQueuePrefix();
    redis = createRedisConnection(TEST_REDIS_URL, 'relay-test');
    queues = new JobQueues(redis, prefix);
    relay = new OutboxRelay(dataSource, queues, { schema: 'segmentation', databaseUrl: db.url, pollIntervalMs: 100, confirmAfterMs: 0 }, logger);
    incoming = new Queue(QueueName.TicketsIncoming, { connection: redis, prefix });
  }
  afterEach(async () => {
    await dataSource.query('DELETE FROM segmentation.outbox');
    await incoming.close();
    await queues.close();
    redis.disconnect();
    await deleteKeys(prefix);
  });

  async function announce(externalId: string): Promise<string> {
    const id = await dataSource.transaction((tx) =>
      outbox.enqueue(tx, 'customer.upserted', {
        externalId,
        email: `${externalId}@example.com`,
        name: null,
        phone: null,
        locale: null,
        tags: [],
        vip: null,
        version: 1,
        updatedAt: new Date(),
      }),
    );
    if (!id) throw new Error('customer.upserted is always written');
    return id;
  }

  /** Consumers in every queue customer.upserted goes to, until each has completed `jobs` jobs. */
  async function completeEverywhere(jobs: number): Promise<void> {
    const workers = JOB_ROUTES['customer.upserted'].map((queue) => new Worker(queue, async () => 'handled', { connection: redis.duplicate(), prefix }));
    try {
      for (const queue of JOB_ROUTES['customer.upserted']) {
        await expect.poll(() => queues.queue(queue).getJobCountByTypes('completed'), { timeout: 5_000 }).toBe(jobs);
      }
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  }

  async function outboxRow(id: string): Promise<{ published_at: Date | null; publish_count: number } | undefined> {
    const rows = await dataSource.query('SELECT published_at, publish_count FROM segmentation.outbox WHERE id = $1', [id]);
    return rows[0];
  }

  it('publishes a committed change once, though the relay was killed between adding the job and marking the row', async () => {
    await freshQueues();
    const id = await announce('cus_crash');

    const child = spawn(process.execPath, ['services/segmentation/dist/test/fixtures/crashing-relay.js'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'], DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    const { signal } = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (_c, s) => resolve({ signal: s })));

    expect(signal).toBe('SIGKILL');
    expect(output).toContain(id);
    // The job reached Redis, but the relay's transaction died with it: the row is unpublished.
    expect(await incoming.getJobState(id)).toBe('waiting');
    expect((await outboxRow(id))?.published_at).toBeNull();

    // Another relay (a restart, or a replica) takes the row and publishes it again.
    expect(await relay.publishBatch()).toBe(1);
    expect((await outboxRow(id))?.publish_count).toBe(1);
    // BullMQ ignored the known job id: one job, not two.
    expect(await incoming.getJobCountByTypes('waiting', 'active', 'completed')).toBe(1);
    const job = await incoming.getJob(id);
    expect(job?.name).toBe('customer.upserted');
    expect(job?.data).toMatchObject({ eventId: id, data: { externalId: 'cus_crash' } });
  });

  it('publishes a change committed while no relay was running, as soon as one runs', async () => {
    await freshQueues();
    const ids = [await announce('cus_a'), await announce('cus_b'), await announce('cus_c')];
    expect(await incoming.getJobCountByTypes('waiting')).toBe(0);

    await relay.start();
    try {
      // The three, of one name, found by one pass: one job carrying them.
      await expect.poll(() => incoming.getJobCountByTypes('waiting'), { timeout: 5_000 }).toBe(1);
    } finally {
      await relay.stop();
    }
    const [job] = await incoming.getJobs(['waiting']);
    // In commit order.
    expect(job!.id).toBe(ids[0]);
    expect((job!.data as { batch: Array<{ eventId: string }> }).batch.map((e) => e.eventId)).toEqual(ids);
  });

  it('repairs a job Redis lost in part (its hash kept, its place in the queue gone)', async () => {
    await freshQueues();
    const id = await announce('cus_half_lost');
    await relay.publishBatch();
    // Only the waiting list goes: the job's hash alone would make a plain re-add a no-op.
    await redis.del(`${prefix}:${QueueName.TicketsIncoming}:wait`);
    expect(await redis.exists(`${prefix}:${QueueName.TicketsIncoming}:${id}`)).toBe(1);
    expect(await incoming.getJobState(id)).toBe('unknown');

    expect(await relay.confirmBatch()).toMatchObject({ republished: 1 });
    expect(await incoming.getJobState(id)).toBe('waiting');
  });

  it('is woken by NOTIFY on commit, not by its poll, and an idle relay does not linger', async () => {
    await freshQueues();
    const listening = new OutboxRelay(dataSource, queues, { schema: 'segmentation', databaseUrl: db.url, pollIntervalMs: 60_000, confirmAfterMs: 60_000, lingerMs: 60_000 }, logger);
    await listening.start();
    try {
      // The first pass ran at start; from now on only a notification can wake it within a minute.
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      const id = await announce('cus_notified');
      await expect.poll(() => incoming.getJobState(id), { timeout: 3_000, interval: 20 }).toBe('waiting');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await listening.stop();
    }
  });

  it('under load, lingers: commits made meanwhile go as one job; a hundred commits heard of end the wait', async () => {
    await freshQueues();
    // The first pass is held inside its publish until released, so commits arrive while it runs.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let passes = 0;
    const gated = Object.assign(Object.create(queues) as JobQueues, {
      publishBatches: async (batches: Parameters<JobQueues['publishBatches']>[0]) => {
        if (passes++ === 0) await held;
        return queues.publishBatches(batches);
      },
    });
    const lingering = new OutboxRelay(dataSource, gated, { schema: 'segmentation', databaseUrl: db.url, pollIntervalMs: 60_000, confirmAfterMs: 60_000, lingerMs: 60_000 }, logger);
    await lingering.start();
    try {
      const first = await announce('cus_linger_first');
      await expect.poll(() => passes, { timeout: 3_000, interval: 10 }).toBe(1);
      // While the pass runs, 99 commits: heard of, but fewer than a hundred.
      const during = [];
      for (let i = 0; i < 99; i++) during.push(await announce(`cus_linger_${i}`));
      release();
      await expect.poll(() => incoming.getJobState(first), { timeout: 3_000, interval: 20 }).toBe('waiting');
      // Lingering (a minute at most), the relay gathers; one more commit makes a hundred.
      await new Promise((r) => setTimeout(r, 300));
      const later = await announce('cus_linger_last');
      await expect.poll(() => incoming.getJobCountByTypes('waiting'), { timeout: 5_000, interval: 20 }).toBe(2);
      expect(passes).toBe(2);
      // All hundred in one job (a full one, MAX_EVENTS_PER_JOB), in commit order.
      const job = (await incoming.getJobs(['waiting'])).find((j) => j.id !== first)!;
      expect((job.data as { batch: Array<{ eventId: string }> }).batch.map((e) => e.eventId)).toEqual([...during, later]);
    } finally {
      release();
      await lingering.stop();
    }
  });

  it('keeps a published row until its job completed, and publishes again when Redis lost the job', async () => {
    await freshQueues();
    const id = await announce('cus_lost');
    await relay.publishBatch();

    // Published but not completed: the row stays.
    expect(await relay.confirmBatch()).toMatchObject({ confirmed: 0, pending: 1 });
    expect(await outboxRow(id)).toBeDefined();

    // Redis loses everything (no persistence, a failover).
    await deleteKeys(prefix);
    expect(await incoming.getJobState(id)).toBe('unknown');

    expect(await relay.confirmBatch()).toMatchObject({ republished: 1 });
    expect(await incoming.getJobState(id)).toBe('waiting');

    // Its consumers (every queue the event is routed to) complete it; the next pass confirms
    // and forgets the row. Until all have, the row stays.
    const [first, ...rest] = JOB_ROUTES['customer.upserted'];
    const consume = async (queue: string) => {
      const worker = new Worker(queue, async () => 'handled', { connection: redis.duplicate(), prefix });
      await expect.poll(() => queues.queue(queue as typeof first).getJobState(id), { timeout: 5_000 }).toBe('completed');
      await worker.close();
    };
    await consume(first);
    if (rest.length > 0) {
      expect(await relay.confirmBatch()).toMatchObject({ confirmed: 0, pending: 1 });
      for (const queue of rest) await consume(queue);
    }
    expect(await relay.confirmBatch()).toMatchObject({ confirmed: 1 });
    expect(await outboxRow(id)).toBeUndefined();
  });

  it('confirms every row a pass finds, batch after batch, not one batch per pass', async () => {
    await freshQueues();
    const small = new OutboxRelay(dataSource, queues, { schema: 'segmentation', databaseUrl: db.url, pollIntervalMs: 100, confirmAfterMs: 0, batchSize: 2 }, logger);
    const ids = await Promise.all(['cus_p1', 'cus_p2', 'cus_p3', 'cus_p4', 'cus_p5'].map((c) => announce(c)));
    while ((await small.publishBatch()) > 0) {
      /* all five, two at a time */
    }
    // Each pass's two events of one name went as one job: 2 + 2 + 1.
    await completeEverywhere(3);

    expect(await small.confirmPass()).toMatchObject({ confirmed: 5, pending: 0 });
    for (const id of ids) expect(await outboxRow(id)).toBeUndefined();
  });

  it('carries the events of one name published together as one job, and publishes each alone again when Redis lost it', async () => {
    await freshQueues();
    const ids: string[] = [];
    for (const c of ['cus_b1', 'cus_b2', 'cus_b3']) ids.push(await announce(c));
    expect(await relay.publishBatch()).toBe(3);

    // One job named by the first row, carrying the three envelopes in outbox order; every row knows it.
    const job = await incoming.getJob(ids[0]!);
    expect((job?.data as { batch: Array<{ eventId: string }> }).batch.map((e) => e.eventId)).toEqual(ids);
    expect(await incoming.getJob(ids[1]!)).toBeFalsy();
    const rows: Array<{ job_id: string }> = await dataSource.query('SELECT job_id FROM segmentation.outbox WHERE id = ANY($1::uuid[])', [ids]);
    expect(rows.map((r) => r.job_id)).toEqual([ids[0], ids[0], ids[0]]);
    expect(await relay.confirmBatch()).toMatchObject({ confirmed: 0, pending: 3 });

    await deleteKeys(prefix);
    expect(await relay.confirmBatch()).toMatchObject({ republished: 3 });
    for (const id of ids) expect(await incoming.getJobState(id)).toBe('waiting');

    await completeEverywhere(3);
    expect(await relay.confirmPass()).toMatchObject({ confirmed: 3, pending: 0 });
    for (const id of ids) expect(await outboxRow(id)).toBeUndefined();
  });
});
