import { buildMail, eventually, useStack } from '@careflow/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

/**
 * A message whose processing worker dies mid-job is not lost and not processed twice: the
 * raw bytes were committed before the 202, the killed transaction leaves nothing behind, and
 * the next worker takes the stalled job over.
 */
describe('email-ingest worker killed mid-job', () => {
  const system = useStack({
    services: ['tickets', 'email-ingest'],
    // A dead worker's job is given to the next one after its lock expires: seconds, not the default 30.
    env: { QUEUE_LOCK_DURATION_MS: '2000', QUEUE_STALLED_INTERVAL_MS: '1000' },
  });

  it('processes the message exactly once after a new worker takes the job over', async () => {
    const db = system.stack.db.pool;
    // Hold the duplicate keys, so the worker blocks inside its transaction, after parsing.
    const blocker = new pg.Client({ connectionString: system.stack.db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE email_ingest.message_keys IN EXCLUSIVE MODE');

    const from = `crash.${randomUUID().slice(0, 8)}@example.com`;
    const res = await system.api
      .post('/v1/inbound/email')
      .set(system.admin())
      .set('content-type', 'message/rfc822')
      .send(buildMail({ from, subject: 'Kill me softly', text: 'Mid-job.' }))
      .expect(202);
    const id: string = res.body.id;

    await expect
      .poll(async () => (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'email-ingest' AND wait_event_type = 'Lock'`)).rows[0].n, {
        timeout: 15_000,
      })
      .toBe(1);
    await system.stack.kill('email-ingest');
    await blocker.query('COMMIT');
    await blocker.end();

    // Nothing of the killed attempt was committed; the raw message was.
    const row = async () => (await db.query(`SELECT status, parsed_at, raw_size FROM email_ingest.inbound_emails WHERE id = $1`, [id])).rows[0];
    expect(await row()).toMatchObject({ status: 'queued', parsed_at: null, raw_size: expect.any(Number) });
    expect((await db.query(`SELECT count(*)::int AS n FROM email_ingest.message_keys WHERE inbound_email_id = $1`, [id])).rows[0].n).toBe(0);

    await system.stack.startService('email-ingest');
    const done = await eventually(async () => {
      const r = await system.api.get(`/v1/inbound/email/${id}`).set(system.admin()).expect(200);
      expect(r.body.status).toBe('ticket_created');
      return r.body;
    }, 30_000);
    const tickets = await db.query(`SELECT id FROM tickets.tickets WHERE source_inbound_email_id = $1`, [id]);
    expect(tickets.rows).toEqual([{ id: done.ticketId }]);
    expect((await db.query(`SELECT count(*)::int AS n FROM email_ingest.message_keys WHERE inbound_email_id = $1`, [id])).rows[0].n).toBe(1);
  });
});
