import { deleteKeys, eventually, SmtpSink, useStack, WebhookReceiver, type ReceivedWebhook } from '@careflow/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Webhook deliveries through the whole system: a ticket opened through the gateway reaches
 * real HTTP receivers as a signed Standard Webhooks message; failures are retried on the
 * (shrunk) schedule, logged attempt by attempt, replayed on request, and survive a worker
 * killed mid-request and a Redis that forgot its jobs.
 */
describe('webhook deliveries', () => {
  const receivers: WebhookReceiver[] = [];
  afterAll(async () => Promise.all(receivers.map((r) => r.stop())));

  // The administrator's mail about disabled endpoints; registered before the stack, so it is up first.
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => sink?.stop());

  const system = useStack(() => ({
    services: ['tickets', 'notifications'],
    env: {
      SMTP_URL: sink.url,
      WEBHOOK_ADMIN_EMAIL: 'ops@shop.test',
      WEBHOOK_RETRY_SCHEDULE: '0,1,1,1',
      WEBHOOK_TIMEOUT_MS: '1500',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      WEBHOOK_ENDPOINT_CONCURRENCY: '2',
    },
  }));

  async function receiver(): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start();
    receivers.push(r);
    return r;
  }

  /** An endpoint row as the endpoint API writes it (`whsec_` and 24 random bytes). */
  async function endpoint(url: string, events: string[] = ['*'], previousSecret?: string): Promise<{ id: string; secret: string }> {
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    await system.stack.db.pool.query(
      `INSERT INTO notifications.webhook_endpoints (id, url, events, secret, previous_secret, previous_secret_expires_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5::text IS NULL THEN NULL ELSE now() + interval '1 day' END)`,
      [id, url, events, secret, previousSecret ?? null],
    );
    return { id, secret };
  }

  async function openTicket(): Promise<{ id: string; number: number }> {
    const email = `wh_${randomUUID().slice(0, 8)}@example.com`;
    const res = await system.api
      .post('/v1/tickets')
      .set(system.admin())
      .send({ subject: 'Where is my parcel?', description: 'Order 1042 has not arrived.', customer: { email, name: 'Lan' }, channel: 'api' })
      .expect(201);
    return res.body;
  }

  const about = (ticketId: string) => (w: ReceivedWebhook) => (JSON.parse(w.body) as { data?: { ticket?: { id?: string } } }).data?.ticket?.id === ticketId;
  const verify = (secret: string, w: ReceivedWebhook) => new Webhook(secret).verify(w.body, w.headers as Record<string, string>) as { type: string; timestamp: string; data: unknown };

  async function log(endpointId: string, query: Record<string, string> = {}) {
    const res = await system.api.get(`/v1/webhooks/${endpointId}/deliveries`).query(query).set(system.admin()).expect(200);
    return res.body as {
      data: Array<{ id: string; messageId: string; eventType: string; status: string; nextAttemptAt: string | null; attempts: Array<{ attempt: number; statusCode: number | null; error: string | null; durationMs: number | null; responseExcerpt: string | null }> }>;
      nextCursor: string | null;
    };
  }

  async function deliveryOf(endpointId: string, status?: string) {
    return eventually(async () => {
      const page = await log(endpointId, { eventType: 'ticket.created' });
      const d = page.data[0];
      expect(d).toBeDefined();
      if (status) expect(d!.status).toBe(status);
      return d!;
    }, 20_000);
  }

  it('delivers ticket.created, signed so that the standardwebhooks library verifies it', async () => {
    const r = await receiver();
    const { id, secret } = await endpoint(r.url, ['ticket.created']);
    const ticket = await openTicket();
    const w = await r.waitFor(about(ticket.id), 20_000);
    const payload = verify(secret, w);
    expect(payload.type).toBe('ticket.created');
    expect(payload.data).toMatchObject({ ticket: { id: ticket.id, number: ticket.number } });
    expect(new Date(payload.timestamp).toISOString()).toBe(payload.timestamp);
    expect(w.headers['webhook-id']).toMatch(/^msg_[0-9A-Z]{26}$/);
    expect(w.headers['content-type']).toBe('application/json');

    const delivery = await deliveryOf(id, 'succeeded');
    expect(delivery).toMatchObject({ messageId: w.headers['webhook-id'], eventType: 'ticket.created', nextAttemptAt: null });
    expect(delivery.attempts).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, error: null })]);
  });

  it('gives a * endpoint every event and a filtered endpoint only what it subscribed to', async () => {
    const all = await receiver();
    const solvedOnly = await receiver();
    await endpoint(all.url, ['*']);
    await endpoint(solvedOnly.url, ['ticket.solved']);
    const ticket = await openTicket();
    await all.waitFor(about(ticket.id), 20_000);
    await system.api.patch(`/v1/tickets/${ticket.id}`).set(system.admin()).send({ status: 'solved' }).expect(200);
    const solved = await solvedOnly.waitFor(about(ticket.id), 20_000);
    expect(JSON.parse(solved.body).type).toBe('ticket.solved');
    await eventually(() => {
      const types = all.received.filter(about(ticket.id)).map((w) => JSON.parse(w.body).type);
      expect(types).toEqual(expect.arrayContaining(['ticket.created', 'ticket.solved']));
    }, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(solvedOnly.received.map((w) => JSON.parse(w.body).type)).toEqual(['ticket.solved']);
  });

  it('signs with both secrets during a rotation', async () => {
    const r = await receiver();
    const previous = `whsec_${randomBytes(24).toString('base64')}`;
    const { secret } = await endpoint(r.url, ['ticket.created'], previous);
    const ticket = await openTicket();
    const w = await r.waitFor(about(ticket.id), 20_000);
    expect(String(w.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(secret, w).type).toBe('ticket.created');
    expect(verify(previous, w).type).toBe('ticket.created');
  });

  it('retries 500, 500, then 200 with the same webhook-id, and logs all three attempts', async () => {
    const r = await receiver();
    r.answer = (_w, i) => (i < 2 ? 500 : 200);
    const { id, secret } = await endpoint(r.url, ['ticket.created']);
    const ticket = await openTicket();
    const delivery = await deliveryOf(id, 'succeeded');
    const got = r.received.filter(about(ticket.id));
    expect(got).toHaveLength(3);
    expect(new Set(got.map((w) => w.headers['webhook-id']))).toEqual(new Set([delivery.messageId]));
    expect(new Set(got.map((w) => w.body)).size).toBe(1);
    for (const w of got) verify(secret, w);
    expect(delivery.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([[1, 500], [2, 500], [3, 200]]);
    expect(delivery.attempts[0]!.error).toBe('receiver answered 500');
    const { rows } = await system.stack.db.pool.query(`SELECT failing_since FROM notifications.webhook_endpoints WHERE id = $1`, [id]);
    expect(rows[0].failing_since).toBeNull();
  });

  it('disables an endpoint whose receiver answers 410 Gone', async () => {
    const r = await receiver();
    r.status = 410;
    const { id } = await endpoint(r.url, ['ticket.created']);
    await openTicket();
    const delivery = await deliveryOf(id, 'failed');
    expect(delivery.attempts).toHaveLength(1);
    // The endpoint is disabled right after the attempt's outcome is recorded (its own transaction, with the admin's mail).
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT enabled, disabled_at, disabled_reason FROM notifications.webhook_endpoints WHERE id = $1`, [id]);
      expect(rows[0]).toMatchObject({ enabled: false, disabled_reason: 'receiver answered 410 Gone' });
      expect(rows[0].disabled_at).not.toBeNull();
    });
    const mail = await sink.waitFor((m) => m.envelope.to.includes('ops@shop.test') && (m.parsed.text ?? '').includes(id));
    expect(mail.parsed.subject).toBe(`Webhook endpoint disabled: ${r.url}`);
    expect(mail.parsed.text).toContain('Reason: receiver answered 410 Gone');
  });

  it('disables an endpoint failing without a success for longer than WEBHOOK_DISABLE_AFTER_HOURS', async () => {
    const r = await receiver();
    r.status = 500;
    const { id } = await endpoint(r.url, ['ticket.created']);
    // Failing for six days already (the default span is five).
    await system.stack.db.pool.query(`UPDATE notifications.webhook_endpoints SET failing_since = now() - interval '6 days' WHERE id = $1`, [id]);
    await openTicket();
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT enabled, disabled_reason FROM notifications.webhook_endpoints WHERE id = $1`, [id]);
      expect(rows[0].enabled).toBe(false);
      expect(rows[0].disabled_reason).toMatch(/^failing since .* without a success for over 120 h$/);
    }, 20_000);
    // Its pending delivery is not attempted again.
    const delivery = await deliveryOf(id, 'failed');
    expect(delivery.attempts).toHaveLength(1);
  });

  it('retries an attempt that timed out', async () => {
    const r = await receiver();
    r.answer = (_w, i) => (i === 0 ? 'hang' : 200);
    const { id } = await endpoint(r.url, ['ticket.created']);
    await openTicket();
    const delivery = await deliveryOf(id, 'succeeded');
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([null, 200]);
    expect(delivery.attempts[0]!.error).toBe('timed out after 1500 ms');
    expect(delivery.attempts[0]!.durationMs).toBeGreaterThanOrEqual(1400);
  });

  it('replays one delivery with the same webhook-id, and recovers every failed one since a time', async () => {
    const r = await receiver();
    r.status = 503;
    const { id } = await endpoint(r.url, ['ticket.created']);
    const since = new Date(Date.now() - 1000).toISOString();
    const ticket = await openTicket();
    // Four attempts on the shrunk schedule, then failed.
    const failed = await deliveryOf(id, 'failed');
    expect(failed.attempts).toHaveLength(4);

    r.status = 200;
    const retried = await system.api.post(`/v1/webhooks/${id}/deliveries/${failed.id}/retry`).set(system.admin()).expect(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
    const replayed = await deliveryOf(id, 'succeeded');
    expect(replayed.attempts).toHaveLength(5);
    const got = r.received.filter(about(ticket.id));
    expect(got).toHaveLength(5);
    expect(got.at(-1)!.headers['webhook-id']).toBe(failed.messageId);

    // A second message fails for good; recover replays it (and not the one delivered).
    r.status = 500;
    await openTicket();
    await eventually(async () => expect((await log(id, { status: 'failed' })).data).toHaveLength(1), 20_000);
    r.status = 200;
    const recovered = await system.api.post(`/v1/webhooks/${id}/recover`).query({ since }).set(system.admin()).expect(202);
    expect(recovered.body).toEqual({ recovered: 1 });
    await eventually(async () => {
      const page = await log(id);
      expect(page.data.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    }, 20_000);
  });

  it('answers 404 for an unknown endpoint or delivery and 400 naming a bad field', async () => {
    const r = await receiver();
    const { id } = await endpoint(r.url, ['ticket.created']);
    await system.api.get(`/v1/webhooks/${randomUUID()}/deliveries`).set(system.admin()).expect(404);
    await system.api.post(`/v1/webhooks/${id}/deliveries/${randomUUID()}/retry`).set(system.admin()).expect(404);
    await system.api.post(`/v1/webhooks/${randomUUID()}/recover`).query({ since: '2026-12-01T00:00:00Z' }).set(system.admin()).expect(404);
    const bad = await system.api.post(`/v1/webhooks/${id}/recover`).query({ since: 'yesterday' }).set(system.admin()).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['since']);
    const badStatus = await system.api.get(`/v1/webhooks/${id}/deliveries`).query({ status: 'lost' }).set(system.admin()).expect(400);
    expect(badStatus.body.errors.map((e: { field: string }) => e.field)).toEqual(['status']);
  });

  it('delivers after the notifications worker is killed mid-request, logging every attempt', async () => {
    const r = await receiver();
    r.answer = (_w, i) => (i === 0 ? 'hang' : 200);
    const { id } = await endpoint(r.url, ['ticket.created']);
    const ticket = await openTicket();
    await r.waitFor(about(ticket.id), 20_000);
    // Meanwhile the log shows the attempt under way: started, no outcome.
    expect((await deliveryOf(id, 'pending')).attempts).toEqual([expect.objectContaining({ attempt: 1, statusCode: null, error: null, durationMs: null })]);
    await system.stack.kill('notifications');
    await system.stack.startService('notifications');

    const delivery = await deliveryOf(id, 'succeeded');
    expect(delivery.attempts.length).toBeGreaterThanOrEqual(2);
    expect(delivery.attempts[0]).toMatchObject({ attempt: 1, statusCode: null, error: expect.stringMatching(/outcome unknown/) });
    expect(delivery.attempts.at(-1)).toMatchObject({ statusCode: 200, error: null });
    const got = r.received.filter(about(ticket.id));
    expect(new Set(got.map((w) => w.headers['webhook-id']))).toEqual(new Set([delivery.messageId]));
  });

  it('still makes a pending retry when Redis forgot its jobs (the reconciler rebuilds it)', async () => {
    const r = await receiver();
    r.status = 500;
    const { id } = await endpoint(r.url, ['ticket.created']);
    await openTicket();
    const pending = await eventually(async () => {
      const d = (await log(id)).data[0]!;
      expect(d.attempts[0]?.statusCode).toBe(500);
      expect(d.status).toBe('pending');
      return d;
    }, 20_000);
    // The retry is moved 8 s out (beyond the 5 s an attempt may start early: its job, if it
    // fires first, finds it not due), then Redis loses every key: only a job rebuilt from
    // Postgres can make it.
    const due = new Date(Date.now() + 8_000);
    await system.stack.db.pool.query(`UPDATE notifications.webhook_deliveries SET next_attempt_at = $2 WHERE id = $1`, [pending.id, due]);
    expect(await deleteKeys(system.stack.queuePrefix)).toBeGreaterThan(0);
    r.status = 200;
    const delivered = await deliveryOf(id, 'succeeded');
    expect(delivered.id).toBe(pending.id);
    expect(delivered.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
    const { rows } = await system.stack.db.pool.query(`SELECT started_at FROM notifications.webhook_attempts WHERE delivery_id = $1 AND attempt = 2`, [pending.id]);
    expect(rows[0].started_at.getTime()).toBeGreaterThanOrEqual(due.getTime() - 5_000);
  });

  it('lets one slow receiver hold no more than its own slots: the others are served meanwhile', async () => {
    const slow = await receiver();
    slow.answer = () => 'hang';
    const fast = await receiver();
    await endpoint(slow.url, ['ticket.created']);
    await endpoint(fast.url, ['ticket.created']);
    const started = Date.now();
    const tickets: Array<{ id: string }> = [];
    for (let i = 0; i < 6; i++) tickets.push(await openTicket());
    for (const t of tickets) await fast.waitFor(about(t.id), 20_000);
    // Every request to the slow one hangs for the whole timeout (1.5 s): at most two at a time.
    const early = slow.received.filter((w) => w.receivedAt.getTime() < started + 1_400);
    expect(early.length).toBeLessThanOrEqual(2);
    expect(fast.received.filter((w) => tickets.some((t) => about(t.id)(w)))).toHaveLength(6);
  });

  it('gives endpoints on one host their own slots each: sharing an origin does not share a connection limit', async () => {
    const host = await receiver();
    host.answer = () => 'hang';
    await endpoint(`${host.url}/orders`, ['ticket.created']);
    await endpoint(`${host.url}/support`, ['ticket.created']);
    const started = Date.now();
    for (let i = 0; i < 3; i++) await openTicket();
    // Two slots per endpoint (WEBHOOK_ENDPOINT_CONCURRENCY), all taken before the first attempt times out.
    await eventually(() => expect(host.received.filter((w) => w.receivedAt.getTime() < started + 1_400).length).toBe(4), 5_000);
    const early = host.received.filter((w) => w.receivedAt.getTime() < started + 1_400);
    expect(early.filter((w) => w.path.endsWith('/orders'))).toHaveLength(2);
    expect(early.filter((w) => w.path.endsWith('/support'))).toHaveLength(2);
  });
});
