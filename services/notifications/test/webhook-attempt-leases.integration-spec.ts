import { PreparedStatements } from '@careflow/persistence';
import { planOf, type SentStatement } from '@careflow/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebhookAttemptLeases1765600000000 } from '../src/database/migrations/1765600000000-webhook-attempt-leases.js';
import { WebhookLogWithoutForeignKeys1765700000000 } from '../src/database/migrations/1765700000000-webhook-log-without-foreign-keys.js';
import { ATTEMPT_INTERRUPTED, ENDPOINT_DELETED, ENDPOINT_DISABLED, WebhookDeliveriesRepository } from '../src/modules/webhook-deliveries/webhook-deliveries.repository.js';
import { WebhookEndpointsRepository } from '../src/modules/webhook-endpoints/webhook-endpoints.repository.js';
import { useNotificationsApp } from './app.support.js';

/**
 * An attempt under way is held on its delivery (job, lease, start) and logged once, with its
 * outcome or when it is taken over. Checked against Postgres: what the log shows meanwhile,
 * that the claim touches no index, and attempts under way across the migration both ways.
 */
describe('webhook attempt leases (real Postgres)', () => {
  const running = useNotificationsApp({ WORKERS_ENABLED: 'false' });
  let db: DataSource;
  let deliveries: WebhookDeliveriesRepository;

  beforeAll(() => {
    db = running.dataSource;
    deliveries = running.get(WebhookDeliveriesRepository);
  });

  /** An endpoint, a message and its delivery, due now. */
  async function delivery(): Promise<{ endpointId: string; id: string }> {
    const endpointId = randomUUID();
    const id = randomUUID();
    const messageId = `msg_${randomBytes(13).toString('hex')}`;
    await db.query(`INSERT INTO notifications.webhook_endpoints (id, url, events, secret) VALUES ($1, 'https://shop.example.com/hooks', '{*}', $2)`, [
      endpointId,
      `whsec_${randomBytes(24).toString('base64')}`,
    ]);
    await db.query(`INSERT INTO notifications.webhook_messages (id, type, body) VALUES ($1, 'webhook.test', '{"type":"webhook.test","timestamp":"2026-12-03T08:00:00.000Z","data":{}}')`, [messageId]);
    await db.query(`INSERT INTO notifications.webhook_deliveries (id, message_id, endpoint_id, next_attempt_at) VALUES ($1, $2, $3, now())`, [id, messageId, endpointId]);
    return { endpointId, id };
  }

  const attemptRows = async (id: string) =>
    (await db.query(`SELECT attempt, status_code, error FROM notifications.webhook_attempts WHERE delivery_id = $1 ORDER BY attempt`, [id])) as Array<{
      attempt: number;
      status_code: number | null;
      error: string | null;
    }>;
  const logOf = async (endpointId: string, id: string) =>
    (await deliveries.list(endpointId, { status: null, eventType: null }, null, 50)).find((d) => d.id === id)!;

  it('shows the attempt under way in the log, writes its row once with the outcome, and claims without touching an index', async () => {
    const { endpointId, id } = await delivery();
    const [claimed] = await deliveries.claim([{ id, jobId: 'job-1' }], 60_000, 5_000);
    expect(claimed).toMatchObject({ id, attempt: 1, target: { id: endpointId, enabled: true } });
    expect(await attemptRows(id)).toEqual([]);
    const during = await logOf(endpointId, id);
    expect(during.status).toBe('pending');
    expect(during.attempts).toEqual([{ attempt: 1, startedAt: claimed!.startedAt, durationMs: null, statusCode: null, responseExcerpt: null, error: null }]);
    // The lease's end is when another job could start the next attempt.
    expect(during.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // A second job for the same attempt gets nothing while the lease holds.
    expect(await deliveries.claim([{ id, jobId: 'job-2' }], 60_000, 5_000)).toEqual([null]);

    const [outcome] = await deliveries.recordOutcomes([
      { deliveryId: id, endpointId, jobId: 'job-1', attempt: 1, startedAt: claimed!.startedAt, durationMs: 12, statusCode: 204, responseExcerpt: null, error: null, status: 'succeeded', nextAttemptAt: null },
    ]);
    expect(outcome).toEqual({ recorded: true, failingSince: null });
    expect(await attemptRows(id)).toEqual([{ attempt: 1, status_code: 204, error: null }]);
    const after = await logOf(endpointId, id);
    expect(after).toMatchObject({ status: 'succeeded', nextAttemptAt: null });
    expect(after.attempts).toEqual([{ attempt: 1, startedAt: claimed!.startedAt, durationMs: 12, statusCode: 204, responseExcerpt: null, error: null }]);

    // What a claim changes is in no index (nor an index's condition): Postgres can update the row in place (HOT).
    const indexes = (await db.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'notifications' AND tablename = 'webhook_deliveries'`)) as Array<{ indexdef: string }>;
    expect(indexes.length).toBeGreaterThanOrEqual(4);
    for (const column of ['attempts', 'attempt_job', 'attempt_started_at', 'lease_until', 'updated_at']) {
      expect(indexes.map((i) => i.indexdef).join('\n')).not.toMatch(new RegExp(`\\b${column}\\b`));
    }
  });

  it('takes over an attempt whose lease ended, logging it as interrupted; a late outcome of it still reaches the log', async () => {
    const { endpointId, id } = await delivery();
    const [first] = await deliveries.claim([{ id, jobId: 'job-dead' }], 60_000, 5_000);
    await db.query(`UPDATE notifications.webhook_deliveries SET lease_until = now() - interval '1 second' WHERE id = $1`, [id]);
    const [second] = await deliveries.claim([{ id, jobId: 'job-next' }], 60_000, 5_000);
    expect(second).toMatchObject({ attempt: 2 });
    expect(await attemptRows(id)).toEqual([{ attempt: 1, status_code: null, error: ATTEMPT_INTERRUPTED }]);
    expect((await logOf(endpointId, id)).attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, null, ATTEMPT_INTERRUPTED],
      [2, null, null],
    ]);

    // The first worker was slow, not dead: its answer is logged, the delivery is not its any more.
    const [late] = await deliveries.recordOutcomes([
      { deliveryId: id, endpointId, jobId: 'job-dead', attempt: 1, startedAt: first!.startedAt, durationMs: 61_000, statusCode: 200, responseExcerpt: 'ok', error: null, status: 'succeeded', nextAttemptAt: null },
    ]);
    expect(late!.recorded).toBe(false);
    expect(await attemptRows(id)).toEqual([{ attempt: 1, status_code: 200, error: null }]);
    expect((await logOf(endpointId, id)).status).toBe('pending');
  });

  it('ends a delivery of a disabled endpoint instead of attempting it, and gives back an attempt that got no slot', async () => {
    const off = await delivery();
    await db.query(`UPDATE notifications.webhook_endpoints SET enabled = false WHERE id = $1`, [off.endpointId]);
    expect(await deliveries.claim([{ id: off.id, jobId: 'job-off' }], 60_000, 5_000)).toEqual([null]);
    expect(await logOf(off.endpointId, off.id)).toMatchObject({ status: 'failed', nextAttemptAt: null, attempts: [] });
    const [ended] = await db.query(`SELECT last_error, attempts, attempt_job FROM notifications.webhook_deliveries WHERE id = $1`, [off.id]);
    expect(ended).toEqual({ last_error: ENDPOINT_DISABLED, attempts: 0, attempt_job: null });

    const { endpointId, id } = await delivery();
    const [claimed] = await deliveries.claim([{ id, jobId: 'job-busy' }], 60_000, 5_000);
    // Another job cannot give it back; the one holding it can.
    await deliveries.unclaim([{ id, jobId: 'job-other', attempt: 1 }]);
    expect((await logOf(endpointId, id)).attempts).toHaveLength(1);
    await deliveries.unclaim([{ id, jobId: 'job-busy', attempt: claimed!.attempt }]);
    expect(await logOf(endpointId, id)).toMatchObject({ status: 'pending', attempts: [] });
    const [again] = await deliveries.claim([{ id, jobId: 'job-later' }], 60_000, 5_000);
    expect(again).toMatchObject({ id, attempt: 1 });
  });

  it('finds the deliveries it claims and records by their id, whatever the statistics say', async () => {
    // Statistics taken while nothing was pending (a quiet hour), then a backlog: the plans of
    // the prepared statements, generic and cached, must still go by id (a scan of the pending
    // deliveries per batch grows with the backlog).
    const { endpointId } = await delivery();
    await db.query(
      `WITH m AS (
         INSERT INTO notifications.webhook_messages (id, type, body) SELECT 'msg_quiet_' || g, 'webhook.test', '{}' FROM generate_series(1, 20000) g RETURNING id
       )
       INSERT INTO notifications.webhook_deliveries (id, message_id, endpoint_id, status, attempts, next_attempt_at) SELECT gen_random_uuid(), m.id, $1, 'succeeded', 1, NULL FROM m`,
      [endpointId],
    );
    await db.query(`ANALYZE notifications.webhook_deliveries`);
    const backlog = await Promise.all(Array.from({ length: 20 }, () => delivery()));
    const statements = running.app.get(PreparedStatements);
    const seen: SentStatement[] = [];
    const original = statements.query.bind(statements);
    statements.query = (async (text: string, values: readonly unknown[]) => {
      seen.push({ text, values });
      return original(text, values);
    }) as typeof statements.query;
    try {
      const claimed = await deliveries.claim(backlog.slice(0, 10).map((d) => ({ id: d.id, jobId: `job-${d.id}` })), 60_000, 5_000);
      await deliveries.recordOutcomes(
        claimed.map((c) => ({ deliveryId: c!.id, endpointId: c!.target.id, jobId: `job-${c!.id}`, attempt: 1, startedAt: c!.startedAt, durationMs: 3, statusCode: 204, responseExcerpt: null, error: null, status: 'succeeded' as const, nextAttemptAt: null })),
      );
    } finally {
      statements.query = original;
    }
    expect(seen).toHaveLength(2);
    for (const statement of seen) {
      const plan = await planOf(running.db.pool, statement, 'generic');
      expect(plan).toContain('webhook_deliveries_pkey');
      expect(plan).not.toContain('webhook_deliveries_due');
      expect(plan).not.toMatch(/Seq Scan on webhook_deliveries/);
    }
  });

  it('deletes an endpoint with its deliveries and attempts; what is written for it meanwhile ends unattempted and leaves no log row', async () => {
    const endpoints = running.app.get(WebhookEndpointsRepository);
    const done = await delivery();
    const [claimed] = await deliveries.claim([{ id: done.id, jobId: 'job-a' }], 60_000, 5_000);
    await deliveries.recordOutcomes([
      { deliveryId: done.id, endpointId: done.endpointId, jobId: 'job-a', attempt: 1, startedAt: claimed!.startedAt, durationMs: 5, statusCode: 500, responseExcerpt: null, error: 'receiver answered 500', status: 'pending', nextAttemptAt: new Date() },
    ]);
    const underWay = await delivery();
    await db.query(`UPDATE notifications.webhook_deliveries SET endpoint_id = $2 WHERE id = $1`, [underWay.id, done.endpointId]);
    const [inFlight] = await deliveries.claim([{ id: underWay.id, jobId: 'job-b' }], 60_000, 5_000);
    expect(await attemptRows(done.id)).toHaveLength(1);

    expect(await endpoints.delete(done.endpointId)).toBe(true);
    const left = async (ids: string[]) =>
      (await db.query(
        `SELECT (SELECT count(*) FROM notifications.webhook_deliveries WHERE id = ANY($1::uuid[]))::int AS deliveries,
                (SELECT count(*) FROM notifications.webhook_attempts WHERE delivery_id = ANY($1::uuid[]))::int AS attempts`,
        [ids],
      ))[0] as { deliveries: number; attempts: number };
    expect(await left([done.id, underWay.id])).toEqual({ deliveries: 0, attempts: 0 });
    // The attempt that was under way answers after the deletion: nothing is logged for it.
    const [late] = await deliveries.recordOutcomes([
      { deliveryId: underWay.id, endpointId: done.endpointId, jobId: 'job-b', attempt: 1, startedAt: inFlight!.startedAt, durationMs: 5, statusCode: 204, responseExcerpt: null, error: null, status: 'succeeded', nextAttemptAt: null },
    ]);
    expect(late!.recorded).toBe(false);
    expect(await left([underWay.id])).toEqual({ deliveries: 0, attempts: 0 });

    // A fan-in that read the endpoint before it went writes a delivery for it: its claim ends it.
    const orphan = await delivery();
    await db.query(`DELETE FROM notifications.webhook_endpoints WHERE id = $1`, [orphan.endpointId]);
    expect(await deliveries.claim([{ id: orphan.id, jobId: 'job-c' }], 60_000, 5_000)).toEqual([null]);
    const [ended] = await db.query(`SELECT status, next_attempt_at, last_error, attempts FROM notifications.webhook_deliveries WHERE id = $1`, [orphan.id]);
    expect(ended).toEqual({ status: 'failed', next_attempt_at: null, last_error: ENDPOINT_DELETED, attempts: 0 });
  });

  it('drops the log\'s foreign keys and puts them back, without the rows a race left behind', async () => {
    const migration = new WebhookLogWithoutForeignKeys1765700000000();
    const runner = db.createQueryRunner();
    const constraints = async () =>
      ((await runner.query(
        `SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('notifications.webhook_deliveries'::regclass, 'notifications.webhook_attempts'::regclass) ORDER BY conname`,
      )) as Array<{ conname: string }>).map((r) => r.conname);
    const kept = await delivery();
    const orphan = await delivery();
    await runner.startTransaction();
    try {
      expect(await constraints()).toEqual([]);
      await runner.query(`INSERT INTO notifications.webhook_attempts (delivery_id, attempt, started_at, status_code) VALUES ($1, 1, now(), 204), ($2, 1, now(), 204)`, [kept.id, randomUUID()]);
      await runner.query(`DELETE FROM notifications.webhook_endpoints WHERE id = $1`, [orphan.endpointId]);
      await migration.down(runner);
      expect(await constraints()).toEqual(['webhook_attempts_delivery_id_fkey', 'webhook_deliveries_endpoint_id_fkey', 'webhook_deliveries_message_id_fkey']);
      const [counts] = await runner.query(
        `SELECT (SELECT count(*) FROM notifications.webhook_deliveries WHERE id = ANY($1::uuid[]))::int AS deliveries,
                (SELECT count(*) FROM notifications.webhook_attempts a WHERE NOT EXISTS (SELECT 1 FROM notifications.webhook_deliveries d WHERE d.id = a.delivery_id))::int AS orphan_attempts`,
        [[kept.id, orphan.id]],
      );
      expect(counts).toEqual({ deliveries: 1, orphan_attempts: 0 });
      await migration.up(runner);
      expect(await constraints()).toEqual([]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('keeps attempts under way across the migration, both ways', async () => {
    const migration = new WebhookAttemptLeases1765600000000();
    const runner = db.createQueryRunner();
    const { endpointId, id } = await delivery();
    try {
      await migration.down(runner);
      // The old shape: the attempt's row written at its start, next_attempt_at its lease (ended).
      await runner.query(`UPDATE notifications.webhook_deliveries SET attempts = 1, attempt_job = 'job-old', next_attempt_at = now() - interval '1 second' WHERE id = $1`, [id]);
      await runner.query(`INSERT INTO notifications.webhook_attempts (delivery_id, attempt, started_at) VALUES ($1, 1, '2026-12-03T07:00:00Z')`, [id]);

      await migration.up(runner);
      const [row] = await runner.query(`SELECT lease_until < now() AS lease_ended, attempt_started_at FROM notifications.webhook_deliveries WHERE id = $1`, [id]);
      expect(row).toEqual({ lease_ended: true, attempt_started_at: new Date('2026-12-03T07:00:00Z') });
      const [claimed] = await deliveries.claim([{ id, jobId: 'job-new' }], 60_000, 5_000);
      expect(claimed).toMatchObject({ attempt: 2 });
      expect(await attemptRows(id)).toEqual([{ attempt: 1, status_code: null, error: ATTEMPT_INTERRUPTED }]);

      // Back: the attempt under way gets its row, and next_attempt_at is its lease again.
      await migration.down(runner);
      const [old] = await runner.query(
        `SELECT d.next_attempt_at > now() AS leased, a.started_at FROM notifications.webhook_deliveries d JOIN notifications.webhook_attempts a ON a.delivery_id = d.id AND a.attempt = 2 WHERE d.id = $1`,
        [id],
      );
      expect(old).toEqual({ leased: true, started_at: claimed!.startedAt });
    } finally {
      await migration.up(runner).catch(() => undefined);
      await runner.release();
    }
    expect((await logOf(endpointId, id)).attempts.map((a) => a.attempt)).toEqual([1, 2]);
  });
});
