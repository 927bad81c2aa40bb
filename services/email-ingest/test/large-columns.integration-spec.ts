import { createTestDatabase, type TestDatabase } from '@careflow/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** The migrations leave every service's large columns compressed with lz4 (Debian's and the official images' Postgres have it). */
it('compresses raw mail, bodies and event payloads with lz4 in every schema', async () => {
  const rows: Array<{ col: string; method: string }> = (await db.pool.query(
    `SELECT attrelid::regclass::text || '.' || attname AS col, attcompression AS method FROM pg_attribute
      WHERE attrelid IN ('email_ingest.inbound_emails'::regclass, 'email_ingest.outbox'::regclass, 'tickets.tickets'::regclass,
                         'tickets.comments'::regclass, 'tickets.outbox'::regclass, 'notifications.outbound_messages'::regclass,
                         'notifications.webhook_messages'::regclass, 'notifications.outbox'::regclass, 'segmentation.outbox'::regclass)
        AND attcompression <> ''
      ORDER BY 1`,
  )).rows;
  expect(rows).toEqual([
    'email_ingest.inbound_emails.html_body', 'email_ingest.inbound_emails.raw', 'email_ingest.inbound_emails.stripped_text',
    'email_ingest.inbound_emails.text_body', 'email_ingest.outbox.payload', 'notifications.outbound_messages.html_body',
    'notifications.outbound_messages.text_body', 'notifications.outbox.payload', 'notifications.webhook_messages.body',
    'segmentation.outbox.payload', 'tickets.comments.body', 'tickets.comments.html', 'tickets.outbox.payload', 'tickets.tickets.description',
  ].sort().map((col) => ({ col, method: 'l' })));
});
