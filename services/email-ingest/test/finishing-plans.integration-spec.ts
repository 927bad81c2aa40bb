import { planOf, type SentStatement } from '@careflow/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DropQueuedIndex1765800000000 } from '../src/database/migrations/1765800000000-drop-queued-index.js';
import { InboundEmailsRepository } from '../src/modules/inbound-emails/inbound-emails.repository.js';
import { useEmailIngestApp } from './app.support.js';

/**
 * Finishing a message (its outcome, by id, only while it is still queued) must find it by its
 * primary key whatever the statistics say. Taken while little was queued, they made an index
 * on queued messages look like the cheaper way in: each finish then read the whole queued
 * backlog, a cost that grows with the very backlog it has to drain.
 */
describe('finishing inbound messages (real Postgres)', () => {
  const running = useEmailIngestApp({ WORKERS_ENABLED: 'false' });
  let db: DataSource;
  let emails: InboundEmailsRepository;

  beforeAll(() => {
    db = running.dataSource;
    emails = running.get(InboundEmailsRepository);
  });

  it('finds the messages it finishes by their id, with statistics taken while nothing was queued', async () => {
    // A quiet night: 20 000 messages processed, none queued, and statistics taken then.
    await running.db.pool.query(
      `INSERT INTO email_ingest.inbound_emails (id, source, raw, raw_size, status, processed_at, received_at)
       SELECT gen_random_uuid(), 'api', '\\x00'::bytea, 1, 'ticket_created', now(), now() - g * interval '1 second' FROM generate_series(1, 20000) g`,
    );
    await running.db.pool.query(`ANALYZE email_ingest.inbound_emails`);
    // Then a backlog.
    const backlog = (
      await running.db.pool.query<{ id: string }>(
        `INSERT INTO email_ingest.inbound_emails (id, source, raw, raw_size) SELECT gen_random_uuid(), 'api', '\\x00'::bytea, 1 FROM generate_series(1, 500) RETURNING id`,
      )
    ).rows.map((r) => r.id);

    const seen: SentStatement[] = [];
    await db.transaction(async (tx) => {
      const recording = new Proxy(tx, {
        get(target, property, receiver) {
          if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
          return async (text: string, values: unknown[] = []) => {
            seen.push({ text, values });
            return target.query(text, values);
          };
        },
      }) as EntityManager;
      expect(await emails.finish(recording, backlog[0], { status: 'rejected', reason: 'not a message' })).toBe(true);
      const parsed = { messageId: '<a@shop.test>', fromAddress: 'a@shop.test', fromName: null, subject: 'Hi', textBody: 'Hi', strippedText: 'Hi', htmlBody: null };
      expect(await emails.finish(recording, backlog[1], { status: 'ignored_auto_reply', reason: 'Auto-Submitted: auto-replied' }, [], parsed)).toBe(true);
      // a redelivered answer changes nothing
      expect(await emails.finish(recording, backlog[0], { status: 'rejected', reason: 'again' })).toBe(false);
      await emails.finishRouted(
        recording,
        backlog.slice(2, 12).map((id) => ({ id, outcome: { status: 'appended' as const, reason: null, ticketId: randomUUID(), ticketNumber: 7, commentId: randomUUID() }, requestId: null })),
      );
    });
    expect(seen).toHaveLength(4);
    const statuses = (
      await running.db.pool.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM email_ingest.inbound_emails WHERE id = ANY($1::uuid[]) GROUP BY status ORDER BY status`,
        [backlog],
      )
    ).rows;
    expect(statuses).toEqual([
      { status: 'appended', n: 10 },
      { status: 'ignored_auto_reply', n: 1 },
      { status: 'queued', n: 488 },
      { status: 'rejected', n: 1 },
    ]);

    for (const statement of [seen[0], seen[1], seen[3]]) {
      for (const mode of ['custom', 'generic'] as const) {
        const plan = await planOf(running.db.pool, statement, mode);
        expect(plan, `${mode} plan of\n${statement.text}`).toMatch(/Index Scan using inbound_emails_pkey on inbound_emails/);
        expect(plan).not.toMatch(/inbound_emails_(queued|status|received)/);
        expect(plan).not.toMatch(/Seq Scan on inbound_emails/);
      }
    }
  });

  it('drops the index on queued messages and restores it on the way down', async () => {
    const indexes = async (): Promise<string[]> =>
      (await running.db.pool.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'email_ingest' AND tablename = 'inbound_emails' ORDER BY 1`)).rows.map((r) => r.name);
    expect(await indexes()).not.toContain('inbound_emails_queued');
    const runner = db.createQueryRunner();
    try {
      await new DropQueuedIndex1765800000000().down(runner);
      expect(await indexes()).toContain('inbound_emails_queued');
      await new DropQueuedIndex1765800000000().up(runner);
      expect(await indexes()).toEqual(['inbound_emails_from', 'inbound_emails_pkey', 'inbound_emails_received', 'inbound_emails_status']);
    } finally {
      await runner.release();
    }
  });
});
