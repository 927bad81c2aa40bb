import { QueueName, type QueueJob } from '@careflow/contracts';
import { createDataSource } from '@careflow/persistence';
import { createLogger } from '@careflow/platform';
import type { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueueWorker } from './queue-worker.js';
import { WorkerRuntime } from './worker-runtime.js';

const URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A worker that records each event it handles, and fails on the customer named "boom". */
class RecordingWorker extends QueueWorker<typeof QueueName.SegmentationIncoming> {
  protected readonly queue = QueueName.SegmentationIncoming;
  transactions = 0;

  protected async handle(job: QueueJob<typeof QueueName.SegmentationIncoming>, tx: EntityManager): Promise<void> {
    if (job.name !== 'customer.observed') return;
    const [{ txid }] = await tx.query(`SELECT txid_current()::text AS txid`);
    await tx.query(`INSERT INTO ${this.runtime.schema}.effects (event_id, txid) VALUES ($1, $2)`, [job.envelope.eventId, txid]);
    if (job.envelope.data.externalId === 'boom') throw new Error('boom');
  }
}

/**
 * A job that carries several events (the outbox relay publishes the events of one name
 * together): handled in one transaction behind one ledger statement; one bad event fails
 * alone, and a retry does only what is left.
 */
describe('QueueWorker batches (real Postgres)', () => {
  const schema = `worker_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let worker: RecordingWorker;

  beforeAll(async () => {
    dataSource = createDataSource({ url: URL, schema: 'public', entities: [], migrations: [], applicationName: 'queue-worker-test' });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA ${schema}`);
    await dataSource.query(`CREATE TABLE ${schema}.processed_jobs (queue text, job_id text, job_name text, processed_at timestamptz DEFAULT now(), PRIMARY KEY (queue, job_id))`);
    await dataSource.query(`CREATE TABLE ${schema}.effects (event_id uuid, txid text)`);
    const runtime = new WorkerRuntime(dataSource, {} as Redis, schema, 'unused', createLogger('test', 'silent'), 1, 30_000, 30_000, false);
    worker = new RecordingWorker(runtime);
  });
  afterAll(async () => {
    await dataSource.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await dataSource.destroy();
  });
  beforeEach(async () => {
    await dataSource.query(`TRUNCATE ${schema}.processed_jobs, ${schema}.effects`);
  });

  const observed = (externalId: string) => ({
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    data: { externalId, email: null, name: null, source: 'ticket', observedAt: new Date().toISOString() },
  });
  const effects = async () => (await dataSource.query(`SELECT event_id, txid FROM ${schema}.effects`)) as Array<{ event_id: string; txid: string }>;

  it('handles the events of a batch job in one transaction, each once however often the job comes', async () => {
    const batch = [observed('a'), observed('b'), observed('c')];
    const job = { id: batch[0]!.eventId, name: 'customer.observed', data: { batch } };
    expect(await worker.process(job)).toBe('handled');
    const done = await effects();
    expect(done.map((e) => e.event_id).sort()).toEqual(batch.map((e) => e.eventId).sort());
    expect(new Set(done.map((e) => e.txid)).size).toBe(1);

    // Redelivered whole, or one of its events alone (a relay that published it again row by row): nothing twice.
    expect(await worker.process(job)).toBe('duplicate');
    expect(await worker.process({ id: batch[1]!.eventId, name: 'customer.observed', data: batch[1] })).toBe('duplicate');
    expect(await effects()).toHaveLength(3);
  });

  it('lets a failing event fail alone: the others commit, the job fails, and its retry handles only what is left', async () => {
    const batch = [observed('a'), observed('boom'), observed('c')];
    const job = { id: batch[0]!.eventId, name: 'customer.observed', data: { batch } };
    await expect(worker.process(job)).rejects.toThrow('boom');
    expect((await effects()).map((e) => e.event_id).sort()).toEqual([batch[0]!.eventId, batch[2]!.eventId].sort());

    await expect(worker.process(job)).rejects.toThrow('boom');
    expect(await effects()).toHaveLength(2);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM ${schema}.processed_jobs`);
    expect(n).toBe(2);
  });

  it('handles the valid events of a batch and fails the job, unrecoverably, naming the event that breaks its contract', async () => {
    const broken = { ...observed('x'), data: { externalId: 'x', email: 'not an address', name: null, source: 'ticket', observedAt: new Date().toISOString() } };
    const batch = [observed('a'), broken];
    await expect(worker.process({ id: batch[0]!.eventId, name: 'customer.observed', data: { batch } })).rejects.toMatchObject({
      name: 'UnrecoverableError',
      message: expect.stringContaining('data.email'),
    });
    expect((await effects()).map((e) => e.event_id)).toEqual([batch[0]!.eventId]);
  });
});
