import { JobQueues, createRedisConnection } from '@careflow/messaging';
import { QueueName, RETIRED_QUEUE_NAMES } from '@careflow/contracts';
import { Stack } from '@careflow/testing';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A worker killed in the middle of a job loses nothing and does nothing twice: its
 * transaction dies with it, the job's lock expires, another worker takes the job over and
 * does the work once.
 */
describe('tickets incoming-queue worker killed mid-job', () => {
  let stack: Stack;
  let queues: JobQueues;
  let incoming: Queue;

  beforeAll(async () => {
    stack = await Stack.start({ services: ['tickets'] });
    const redis = createRedisConnection('redis://127.0.0.1:6379', 'worker-crash-test');
    queues = new JobQueues(redis, stack.queuePrefix);
    incoming = queues.queue(QueueName.TicketsIncoming);
  });
  afterAll(async () => {
    await queues?.close();
    await stack?.stop();
  });

  it('is taken over by the next worker and applied exactly once', async () => {
    const eventId = randomUUID();
    // Hold the projection row locked, so the worker blocks inside its transaction.
    const blocker = new pg.Client({ connectionString: stack.db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(
      `INSERT INTO tickets.customers (external_id, email, tags, version, updated_at) VALUES ('cus_kill', 'old@example.com', '{}', 1, now())`,
    );

    await queues.publish([
      {
        id: eventId,
        event: 'customer.upserted',
        envelope: {
          eventId,
          occurredAt: new Date(),
          data: {
            externalId: 'cus_kill',
            email: 'new@example.com',
            name: 'Kim',
            phone: null,
            locale: 'et',
            tags: ['tallinn'],
            vip: false,
            version: 2,
            updatedAt: new Date().toISOString(),
          },
        },
      },
    ]);

    // The worker has the job and is waiting on the row lock: mid-job.
    await expect.poll(() => incoming.getJobState(eventId), { timeout: 10_000 }).toBe('active');
    await expect
      .poll(async () => {
        const { rows } = await stack.db.pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'tickets' AND wait_event_type = 'Lock'`,
        );
        return rows[0].n;
      }, { timeout: 10_000 })
      .toBe(1);

    await stack.kill('tickets');
    await blocker.query('COMMIT');
    await blocker.end();

    // Nothing of the killed attempt was committed.
    const ledger = () => stack.db.pool.query(`SELECT job_id FROM tickets.processed_jobs WHERE job_id = $1`, [eventId]);
    expect((await ledger()).rows).toHaveLength(0);

    // A new worker process finds the stalled job once its lock expires, and finishes it.
    await stack.startService('tickets');
    await expect.poll(() => incoming.getJobState(eventId), { timeout: 20_000, interval: 200 }).toBe('completed');

    const { rows } = await stack.db.pool.query(`SELECT email, name, locale, version FROM tickets.customers WHERE external_id = 'cus_kill'`);
    expect(rows).toEqual([{ email: 'new@example.com', name: 'Kim', locale: 'et', version: 2 }]);
    expect((await ledger()).rows).toHaveLength(1);
  });

  it('ignores a redelivered job it already handled', async () => {
    const eventId = randomUUID();
    const envelope = (email: string) => ({
      eventId,
      occurredAt: new Date(),
      data: { externalId: 'cus_twice', email, name: null, phone: null, locale: null, tags: [], vip: null, version: 1, updatedAt: new Date().toISOString() },
    });
    await queues.publish([{ id: eventId, event: 'customer.upserted', envelope: envelope('first@example.com') }]);
    await expect.poll(() => incoming.getJobState(eventId), { timeout: 10_000 }).toBe('completed');

    // Redis forgot it and the outbox published it again (see the relay tests): same event id.
    // Version 0 takes the projection's own version guard out of play: only the ledger stops it.
    await (await incoming.getJob(eventId))!.remove();
    await stack.db.pool.query(`UPDATE tickets.customers SET email = 'changed-since@example.com', version = 0 WHERE external_id = 'cus_twice'`);
    await queues.publish([{ id: eventId, event: 'customer.upserted', envelope: envelope('first@example.com') }]);
    await expect.poll(() => incoming.getJobState(eventId), { timeout: 10_000 }).toBe('completed');

    const { rows } = await stack.db.pool.query(`SELECT email FROM tickets.customers WHERE external_id = 'cus_twice'`);
    expect(rows[0].email).toBe('changed-since@example.com');
  });

  it('drains jobs published under the queue\'s retired name, and counts a job once under either name', async () => {
    const eventId = randomUUID();
    const envelope = (email: string) => ({
      eventId,
      occurredAt: new Date(),
      data: { externalId: 'cus_renamed', email, name: null, phone: null, locale: null, tags: [], vip: null, version: 1, updatedAt: new Date().toISOString() },
    });
    // Published before the rename: the job waits under the queue's old name.
    const retired = new Queue(RETIRED_QUEUE_NAMES[QueueName.TicketsIncoming]![0]!, { connection: createRedisConnection('redis://127.0.0.1:6379', 'retired-queue-test'), prefix: stack.queuePrefix });
    await retired.add('customer.upserted', envelope('before-rename@example.com'), { jobId: eventId });
    await expect.poll(() => retired.getJobState(eventId), { timeout: 10_000 }).toBe('completed');
    const { rows } = await stack.db.pool.query(`SELECT email FROM tickets.customers WHERE external_id = 'cus_renamed'`);
    expect(rows).toEqual([{ email: 'before-rename@example.com' }]);

    // The outbox, not finding the job under the new name, publishes it there again: nothing happens twice.
    await stack.db.pool.query(`UPDATE tickets.customers SET email = 'changed-since@example.com', version = 0 WHERE external_id = 'cus_renamed'`);
    await queues.publish([{ id: eventId, event: 'customer.upserted', envelope: envelope('before-rename@example.com') }]);
    await expect.poll(() => incoming.getJobState(eventId), { timeout: 10_000 }).toBe('completed');
    const after = await stack.db.pool.query(`SELECT email FROM tickets.customers WHERE external_id = 'cus_renamed'`);
    expect(after.rows[0].email).toBe('changed-since@example.com');
    await retired.close();
  });

  it('dead-letters a job whose payload breaks the contract, with the reason, without retrying', async () => {
    const eventId = randomUUID();
    await incoming.add(
      'customer.upserted',
      { eventId, occurredAt: new Date(), data: { externalId: 42, email: 'not-an-email', tags: 'x', version: 0 } },
      { jobId: eventId, attempts: 5 },
    );
    await expect.poll(() => incoming.getJobState(eventId), { timeout: 10_000 }).toBe('failed');
    const job = await incoming.getJob(eventId);
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toMatch(/invalid customer\.upserted payload/);
    expect(job!.failedReason).toContain('data.email');
    expect(job!.failedReason).toContain('data.version');
  });
});
