import { QueueName } from '@careflow/contracts';
import { JobQueues } from '@careflow/messaging';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebhookReconciler } from '../src/modules/webhook-deliveries/webhook-reconciler.js';
import { WebhookEventsProcessor } from '../src/modules/webhook-messages/webhook-events.processor.js';
import { WebhookMessages } from '../src/modules/webhook-messages/webhook-messages.service.js';
import { WebhookRetention } from '../src/modules/webhook-messages/webhook-retention.js';
import { useNotificationsApp } from './app.support.js';

/**
 * The webhook fan-in: one message per event, however often the event comes, and one delivery
 * per enabled endpoint that subscribed to its type or to `*`, whose job is added once the
 * message committed.
 */
describe('webhook messages (real Postgres)', () => {
  const running = useNotificationsApp({ WORKERS_ENABLED: 'false' });
  let db: DataSource;
  let messages: WebhookMessages;

  beforeAll(() => {
    db = running.dataSource;
    messages = running.get(WebhookMessages);
  });

  async function endpoint(events: string[], enabled = true): Promise<string> {
    const id = randomUUID();
    await db.query(`INSERT INTO notifications.webhook_endpoints (id, url, events, secret, enabled) VALUES ($1, 'https://shop.example.com/hooks', $2, $3, $4)`, [
      id,
      events,
      `whsec_${randomBytes(24).toString('base64')}`,
      enabled,
    ]);
    return id;
  }

  const deliveriesOf = async (messageId: string) =>
    (await db.query(`SELECT endpoint_id, status, attempts FROM notifications.webhook_deliveries WHERE message_id = $1`, [messageId])) as Array<{ endpoint_id: string; status: string; attempts: number }>;

  it('writes one message per event, each subscribed enabled endpoint its delivery and job, and nothing twice', async () => {
    const all = await endpoint(['*']);
    const solved = await endpoint(['ticket.solved', 'ticket.created']);
    await endpoint(['customer.upserted']);
    await endpoint(['*'], false);
    const eventId = randomUUID();
    const occurredAt = new Date('2026-12-02T09:00:00.123Z');
    const data = { ticket: { id: randomUUID(), number: 7, updatedAt: occurredAt } };

    const first = await db.transaction((tx) => messages.enqueue(tx, 'ticket.solved', data, { eventId, occurredAt }));
    expect(first).toEqual({ messageId: expect.stringMatching(/^msg_[0-9A-Z]{26}$/), deliveries: 2, publish: expect.any(Function) });
    const again = await db.transaction((tx) => messages.enqueue(tx, 'ticket.solved', data, { eventId, occurredAt }));
    expect(again).toBeNull();

    const [message] = await db.query(`SELECT type, event_id, body FROM notifications.webhook_messages WHERE id = $1`, [first!.messageId]);
    expect(message).toEqual({
      type: 'ticket.solved',
      event_id: eventId,
      body: { type: 'ticket.solved', timestamp: '2026-12-02T09:00:00.123Z', data: { ticket: { ...data.ticket, updatedAt: '2026-12-02T09:00:00.123Z' } } },
    });
    const deliveries = await deliveriesOf(first!.messageId);
    expect(deliveries.map((d) => d.endpoint_id).sort()).toEqual([all, solved].sort());
    expect(deliveries.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
    const ids = (await db.query(`SELECT id FROM notifications.webhook_deliveries WHERE message_id = $1`, [first!.messageId])).map((r: { id: string }) => r.id);
    const queue = running.app.get(JobQueues).queue(QueueName.WebhookDeliveries);
    const jobsOf = async () => (await queue.getJobs(['wait', 'delayed'])).filter((j) => ids.includes(j.data.data.deliveryId));
    expect(await jobsOf()).toHaveLength(0); // not before the commit is known
    await first!.publish();
    await first!.publish(); // the same jobs: each delivery's first attempt has one
    const jobs = await jobsOf();
    expect(jobs.map((j) => j.data.data.deliveryId).sort()).toEqual([...ids].sort());
    expect(jobs.every((j) => j.name === 'webhook.deliver')).toBe(true);
  });

  it('writes a batch of events (one job) by one statement: each its message and deliveries, the erased customer none, and adds their jobs once', async () => {
    await db.query(`UPDATE notifications.webhook_endpoints SET enabled = false`);
    const a = await endpoint(['customer.upserted']);
    const b = await endpoint(['*']);
    await endpoint(['ticket.created']);
    const erased = `c-erased-${randomUUID()}`;
    const occurredAt = new Date(Date.now() - 60_000);
    await db.query(`INSERT INTO notifications.customers (external_id, version, updated_at, erased_at) VALUES ($1, 1, now(), now())`, [erased]);
    const events = [`c-1-${randomUUID()}`, erased, `c-3-${randomUUID()}`].map((externalId) => ({
      eventId: randomUUID(),
      occurredAt: occurredAt.toISOString(),
      data: { externalId, email: `${externalId}@example.com`, tags: [], version: 1, updatedAt: occurredAt.toISOString() },
    }));
    const fanIn = running.app.get(WebhookEventsProcessor);
    const queue = running.app.get(JobQueues).queue(QueueName.WebhookDeliveries);
    expect(await fanIn.process({ id: randomUUID(), name: 'customer.upserted', data: { batch: [...events, events[0]] } })).toBe('handled');

    const messagesOf = async (eventId: string) =>
      (await db.query(`SELECT id, body->'data'->>'externalId' AS customer FROM notifications.webhook_messages WHERE event_id = $1`, [eventId])) as Array<{ id: string; customer: string }>;
    const [first] = await messagesOf(events[0]!.eventId);
    const [third] = await messagesOf(events[2]!.eventId);
    expect(await messagesOf(events[1]!.eventId)).toEqual([]);
    expect(first!.customer).toBe(events[0]!.data.externalId);
    for (const m of [first!, third!]) expect((await deliveriesOf(m.id)).map((d) => d.endpoint_id).sort()).toEqual([a, b].sort());
    const ids = (await db.query(`SELECT id FROM notifications.webhook_deliveries WHERE message_id = ANY($1)`, [[first!.id, third!.id]])).map((r: { id: string }) => r.id);
    const jobs = (await queue.getJobs(['wait', 'delayed', 'active', 'completed'])).filter((j) => ids.includes(j.data.data.deliveryId));
    expect(jobs.map((j) => j.data.data.deliveryId).sort()).toEqual([...ids].sort());
  });

  it('sends a test message to the one endpoint asked for, whatever it subscribed to', async () => {
    const target = await endpoint(['customer.erased']);
    await endpoint(['*']);
    const written = await db.transaction((tx) => messages.enqueue(tx, 'webhook.test', { message: 'hello' }, { endpointIds: [target] }));
    expect(written?.deliveries).toBe(1);
    expect((await deliveriesOf(written!.messageId)).map((d) => d.endpoint_id)).toEqual([target]);
  });

  it('gives a delivery whose first job never came (the process died after the commit) its job from Postgres', async () => {
    await endpoint(['customer.erased']);
    const written = await db.transaction((tx) => messages.enqueue(tx, 'customer.erased', { externalId: 'c-1' }, { eventId: randomUUID() }));
    const [delivery] = await db.query(`SELECT id FROM notifications.webhook_deliveries WHERE message_id = $1`, [written!.messageId]);
    const queue = running.app.get(JobQueues).queue(QueueName.WebhookDeliveries);
    const jobsOf = async () => (await queue.getJobs(['wait', 'delayed'])).filter((j) => j.data.data.deliveryId === delivery.id);
    // Publishing is left to the commit's follow-up; within the grace period the reconciler leaves it to it.
    await running.app.get(WebhookReconciler).reconcile();
    expect(await jobsOf()).toHaveLength(0);
    await db.query(`UPDATE notifications.webhook_deliveries SET updated_at = now() - interval '2 minutes' WHERE id = $1`, [delivery.id]);
    await running.app.get(WebhookReconciler).reconcile();
    expect(await jobsOf()).toHaveLength(1);
  });

  it('writes no message for an event about a customer erased after it happened (it waited in a queue meanwhile)', async () => {
    await endpoint(['*']);
    const id = `erased-${randomUUID()}`;
    const erasedAt = new Date();
    await db.query(`INSERT INTO notifications.customers (external_id, version, erased_at, updated_at) VALUES ($1, 2, $2, now())`, [id, erasedAt]);
    const before = new Date(erasedAt.getTime() - 1_000);
    const after = new Date(erasedAt.getTime() + 1_000);
    const upserted = { customer: { externalId: id, email: 'kadri@example.com', name: 'Kadri Tamm', version: 1 } };
    const enqueue = (type: string, data: object, occurredAt: Date) => db.transaction((tx) => messages.enqueue(tx, type, data, { eventId: randomUUID(), occurredAt }));

    expect(await enqueue('customer.upserted', upserted, before)).toBeNull();
    expect(await enqueue('ticket.updated', { ticket: { id: randomUUID(), customer: { externalId: id } } }, before)).toBeNull();
    // What happens after the erasure comes from records without personal data, and is announced.
    expect(await enqueue('ticket.updated', { ticket: { id: randomUUID(), customer: { externalId: id } } }, after)).not.toBeNull();
    // The erasure's own event carries hashes only.
    expect(await enqueue('customer.erased', { externalId: id, emailHashes: [] }, before)).not.toBeNull();
    // Another customer's events are not held back.
    expect(await enqueue('customer.upserted', { customer: { externalId: `other-${randomUUID()}`, version: 1 } }, before)).not.toBeNull();
    const [kept] = await db.query(`SELECT count(*)::int AS n FROM notifications.webhook_messages WHERE body::text LIKE '%Kadri%'`);
    expect(kept.n).toBe(0);
  });

  it('deletes messages past WEBHOOK_RETENTION_DAYS with their deliveries and attempts, keeping one still pending', async () => {
    const target = await endpoint(['*']);
    const write = async (createdDaysAgo: number, status: 'succeeded' | 'pending') => {
      const written = await db.transaction((tx) => messages.enqueue(tx, 'customer.upserted', { externalId: randomUUID() }, { eventId: randomUUID() }));
      const id = written!.messageId;
      await db.query(`UPDATE notifications.webhook_messages SET created_at = now() - make_interval(days => $2) WHERE id = $1`, [id, createdDaysAgo]);
      if (status === 'succeeded') {
        await db.query(`UPDATE notifications.webhook_deliveries SET status = 'succeeded', next_attempt_at = NULL, attempts = 1 WHERE message_id = $1`, [id]);
        await db.query(`INSERT INTO notifications.webhook_attempts (delivery_id, attempt, started_at, status_code) SELECT id, 1, now(), 204 FROM notifications.webhook_deliveries WHERE message_id = $1`, [id]);
      }
      return id;
    };
    const expired = await write(31, 'succeeded');
    const stillPending = await write(31, 'pending');
    const recent = await write(29, 'succeeded');
    const retention = running.app.get(WebhookRetention);
    expect(await retention.purge()).toBeGreaterThanOrEqual(1);
    const left = (await db.query(`SELECT id FROM notifications.webhook_messages WHERE id = ANY($1)`, [[expired, stillPending, recent]])).map((r: { id: string }) => r.id);
    expect(left.sort()).toEqual([stillPending, recent].sort());
    const [orphans] = await db.query(
      `SELECT (SELECT count(*) FROM notifications.webhook_deliveries WHERE message_id = $1)::int AS deliveries,
              (SELECT count(*) FROM notifications.webhook_attempts a WHERE NOT EXISTS (SELECT 1 FROM notifications.webhook_deliveries d WHERE d.id = a.delivery_id))::int AS attempts`,
      [expired],
    );
    expect(orphans).toEqual({ deliveries: 0, attempts: 0 });
    expect((await db.query(`SELECT 1 FROM notifications.webhook_endpoints WHERE id = $1`, [target])).length).toBe(1);
  });

  it('completes an event no enabled endpoint wants without a transaction, and writes one that an endpoint wants', async () => {
    await db.query(`UPDATE notifications.webhook_endpoints SET enabled = false`);
    const fanIn = running.app.get(WebhookEventsProcessor);
    const deliver = (externalId: string) => {
      const eventId = randomUUID();
      const data = { externalId, emailHashes: [], version: 2, segmentVersion: 2, erasedAt: new Date() };
      return { eventId, done: fanIn.process({ id: eventId, name: 'customer.erased', data: JSON.parse(JSON.stringify({ eventId, occurredAt: new Date(), data })) }) };
    };
    const traces = async (eventId: string) => {
      const [row] = await db.query(
        `SELECT (SELECT count(*) FROM notifications.processed_jobs WHERE job_id = $1)::int AS ledger,
                (SELECT count(*) FROM notifications.webhook_messages WHERE event_id = $1::uuid)::int AS messages`,
        [eventId],
      );
      return row as { ledger: number; messages: number };
    };

    const unwanted = deliver('c-nobody-listens');
    expect(await unwanted.done).toBe('handled');
    expect(await traces(unwanted.eventId)).toEqual({ ledger: 0, messages: 0 });

    await endpoint(['customer.erased']);
    const wanted = deliver('c-someone-listens');
    expect(await wanted.done).toBe('handled');
    expect(await traces(wanted.eventId)).toEqual({ ledger: 1, messages: 1 });
  });
});
