import type { InboundEmailProcessedPayload } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Outbox, SqlParams, StatementBatcher, type OutboxEvent } from '@careflow/persistence';
import { RequestContext } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type {
  AttachmentRecord,
  InboundEmailFilter,
  InboundEmailRecord,
  InboundSource,
  NewAttachment,
  Outcome,
  ParsedFields,
} from './inbound-email.record.js';

interface InboundEmailRow {
  id: string;
  source: InboundSource;
  mailbox_id: string | null;
  raw_size: number;
  status: InboundEmailRecord['status'];
  reason: string | null;
  message_id: string | null;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  text_body: string | null;
  stripped_text: string | null;
  html_body: string | null;
  duplicate_of: string | null;
  ticket_id: string | null;
  ticket_number: number | null;
  comment_id: string | null;
  received_at: Date;
  parsed_at: Date | null;
  processed_at: Date | null;
  received_cursor: string;
  attachments: Array<{ id: string; filename: string; content_type: string; size: number; content_id: string | null; inline: boolean; omitted: string | null }>;
}

const COLUMNS = `e.id, e.source, e.mailbox_id, e.raw_size, e.status, e.reason, e.message_id, e.from_address, e.from_name, e.subject,
  e.text_body, e.stripped_text, e.html_body, e.duplicate_of, e.ticket_id, e.ticket_number, e.comment_id, e.received_at, e.parsed_at,
  e.processed_at, e.received_at::text AS received_cursor,
  coalesce((SELECT json_agg(json_build_object('id', a.id, 'filename', a.filename, 'content_type', a.content_type, 'size', a.size,
      'content_id', a.content_id, 'inline', a.inline, 'omitted', a.omitted) ORDER BY a.position)
    FROM email_ingest.attachments a WHERE a.inbound_email_id = e.id), '[]') AS attachments`;

function toRecord(r: InboundEmailRow): InboundEmailRecord {
  return {
    id: r.id,
    source: r.source,
    mailboxId: r.mailbox_id,
    rawSize: r.raw_size,
    status: r.status,
    reason: r.reason,
    messageId: r.message_id,
    fromAddress: r.from_address,
    fromName: r.from_name,
    subject: r.subject,
    textBody: r.text_body,
    strippedText: r.stripped_text,
    htmlBody: r.html_body,
    duplicateOf: r.duplicate_of,
    ticketId: r.ticket_id,
    ticketNumber: r.ticket_number,
    commentId: r.comment_id,
    receivedAt: r.received_at,
    parsedAt: r.parsed_at,
    processedAt: r.processed_at,
    receivedCursor: r.received_cursor,
    attachments: r.attachments.map(
      (a): AttachmentRecord => ({ id: a.id, filename: a.filename, contentType: a.content_type, size: a.size, contentId: a.content_id, inline: a.inline, omitted: a.omitted }),
    ),
  };
}

/** The columns a final status is announced from (`processedPayload`). */
/**
 * "Still queued", as the statements that finish a message say it: `processed_at IS NULL`, which
 * the table's CHECK makes the same as `status = 'queued'`. Said with the status, the condition
 * matches the list index (status, received_at, id), and with statistics taken while little was
 * queued the planner went in by that index and read the whole queued backlog to finish one
 * message. No index holds processed_at, so a finish always goes by the primary key.
 */
const STILL_QUEUED = (alias: string): string => `${alias}.processed_at IS NULL`;

const PROCESSED_COLUMNS = ['id', 'status', 'reason', 'ticket_id', 'comment_id', 'message_id', 'from_address', 'subject', 'received_at', 'processed_at'];

/** `inbound_email.processed` of a message row (`row` carries PROCESSED_COLUMNS), as every statement that gives a final status writes it. */
function processedPayload(row: string): string {
  return `jsonb_build_object('id', ${row}.id, 'status', ${row}.status, 'ticketId', ${row}.ticket_id, 'commentId', ${row}.comment_id,
    'reason', ${row}.reason, 'messageId', ${row}.message_id, 'from', ${row}.from_address, 'subject', ${row}.subject,
    'receivedAt', ${row}.received_at, 'processedAt', ${row}.processed_at)`;
}

/** A message as it arrived, waiting for the statement that stores it. */
interface ReceivedMessage {
  id: string;
  raw: Uint8Array;
  source: InboundSource;
  mailboxId: string | null;
  requestId: string | null;
}

/** A message taken for processing: its raw bytes and whether it was processed already. */
export interface LockedMessage {
  id: string;
  mailboxId: string | null;
  raw: Buffer;
  status: InboundEmailRecord['status'];
  parsed: boolean;
  receivedAt: Date;
}

/** Inbound messages, their duplicate keys and attachments (schema email_ingest). */
@Injectable()
export class InboundEmailsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Stores a message as it arrived and announces it for processing, in one statement: once
   * this returns, the message is safe whatever happens to parsing, workers or Redis. Messages
   * arriving together (concurrent requests, a mailbox fetch) share that statement: each caller
   * still waits for its own row to be committed.
   */
  async insertReceived(raw: Uint8Array, source: InboundSource, mailboxId: string | null): Promise<{ id: string; receivedAt: Date }> {
    return this.received.submit({ id: randomUUID(), raw, source, mailboxId, requestId: RequestContext.requestId() ?? null });
  }

  private readonly received = new StatementBatcher<ReceivedMessage, { id: string; receivedAt: Date }>((messages) => this.insertAllReceived(messages), {
    // 10 kB each, typically; a batch of large messages stays well below Postgres' 1 GB message limit.
    maxBatch: 50,
  });

  private async insertAllReceived(messages: ReceivedMessage[]): Promise<Array<{ id: string; receivedAt: Date }>> {
    const q = new SqlParams();
    // Each message's bytes are a parameter of their own, which the driver sends as they are
    // (binary bytea); inside an array they would travel as hex text, twice their size, encoded
    // here and decoded by Postgres.
    const raws = messages.map((m, i) => `(${i + 1}, ${q.add(Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength))}::bytea)`);
    const rows: Array<{ id: string; received_at: Date }> = await this.db.query(
      `WITH r AS (
         SELECT * FROM unnest(${q.add(messages.map((m) => m.id))}::uuid[], ${q.add(messages.map((m) => m.source))}::text[],
                              ${q.add(messages.map((m) => m.mailboxId))}::uuid[], ${q.add(messages.map((m) => m.raw.byteLength))}::int[],
                              ${q.add(messages.map((m) => m.requestId))}::text[])
           WITH ORDINALITY AS r(id, source, mailbox_id, raw_size, request_id, n)
       ), e AS (
         INSERT INTO email_ingest.inbound_emails (id, source, mailbox_id, raw, raw_size)
         SELECT r.id, r.source, r.mailbox_id, b.raw, r.raw_size FROM r JOIN (VALUES ${raws.join(', ')}) AS b(n, raw) USING (n)
         RETURNING id, received_at
       ), announced AS (
         INSERT INTO ${this.outbox.table} (event, payload, request_id)
         SELECT 'inbound_email.received', jsonb_build_object('inboundEmailId', e.id), r.request_id FROM e JOIN r USING (id)
       )
       SELECT id, received_at FROM e`,
      q.values,
    );
    const byId = new Map(rows.map((r) => [r.id, r.received_at]));
    return messages.map((m) => ({ id: m.id, receivedAt: byId.get(m.id)! }));
  }

  async find(id: string, db: DataSource | EntityManager = this.db): Promise<InboundEmailRecord | null> {
    const rows: InboundEmailRow[] = await db.query(`SELECT ${COLUMNS} FROM email_ingest.inbound_emails e WHERE e.id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(f: InboundEmailFilter): Promise<Page<InboundEmailRecord>> {
    const q = new SqlParams();
    const where: string[] = [];
    if (f.status) where.push(`e.status = ${q.add(f.status)}`);
    if (f.from) where.push(`e.from_address = lower(${q.add(f.from)})`);
    if (f.cursor) {
      const [receivedAt, id] = decodeCursor(f.cursor, ['timestamp', 'uuid']);
      where.push(`(e.received_at, e.id) < (${q.add(receivedAt)}::timestamptz, ${q.add(id)}::uuid)`);
    }
    const rows: InboundEmailRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM email_ingest.inbound_emails e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.received_at DESC, e.id DESC LIMIT ${q.add(f.limit + 1)}`,
      q.values,
    );
    return toPage(rows, f.limit, (r) => [r.received_cursor, r.id], toRecord);
  }

  /**
   * The raw messages, for processing: locked (in id order, so two batches never wait on each
   * other), so two deliveries of a job do not process a message twice at once.
   */
  async lockForProcessing(tx: EntityManager, ids: readonly string[]): Promise<LockedMessage[]> {
    const rows: Array<{ id: string; mailbox_id: string | null; raw: Buffer; status: InboundEmailRecord['status']; parsed: boolean; received_at: Date }> = await tx.query(
      `SELECT id, mailbox_id, raw, status, parsed_at IS NOT NULL AS parsed, received_at FROM email_ingest.inbound_emails
        WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, mailboxId: r.mailbox_id, raw: r.raw, status: r.status, parsed: r.parsed, receivedAt: r.received_at }));
  }

  async raw(id: string): Promise<Buffer | null> {
    const rows: Array<{ raw: Buffer }> = await this.db.query(`SELECT raw FROM email_ingest.inbound_emails WHERE id = $1`, [id]);
    return rows[0]?.raw ?? null;
  }

  async attachmentContent(inboundEmailId: string, attachmentId: string): Promise<(AttachmentRecord & { content: Buffer | null }) | null> {
    const rows: Array<{ id: string; filename: string; content_type: string; size: number; content_id: string | null; inline: boolean; omitted: string | null; content: Buffer | null }> =
      await this.db.query(
        `SELECT id, filename, content_type, size, content_id, inline, omitted, content FROM email_ingest.attachments WHERE inbound_email_id = $1 AND id = $2`,
        [inboundEmailId, attachmentId],
      );
    const a = rows[0];
    return a ? { id: a.id, filename: a.filename, contentType: a.content_type, size: a.size, contentId: a.content_id, inline: a.inline, omitted: a.omitted, content: a.content } : null;
  }

  /**
   * Claims each message's duplicate key for it, in one statement. A concurrent copy blocks on
   * the key until the first commits and then finds it taken; of two copies in one call the
   * first claims it. Returns, per message id, the id of the message that holds its key.
   */
  async claimKeys(tx: EntityManager, claims: ReadonlyArray<{ key: string; id: string }>): Promise<Map<string, string>> {
    if (claims.length === 0) return new Map();
    const rows: Array<{ id: string; holder: string | null }> = await tx.query(
      `WITH k AS (SELECT * FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS k(key, id, n)),
       ins AS (
         INSERT INTO email_ingest.message_keys (key, inbound_email_id)
         SELECT key, id FROM k ORDER BY n ON CONFLICT (key) DO NOTHING RETURNING key, inbound_email_id
       )
       SELECT k.id, coalesce(ins.inbound_email_id, m.inbound_email_id) AS holder
         FROM k LEFT JOIN ins ON ins.key = k.key LEFT JOIN email_ingest.message_keys m ON m.key = k.key`,
      [claims.map((c) => c.key), claims.map((c) => c.id)],
    );
    const holders = new Map(rows.filter((r) => r.holder !== null).map((r) => [r.id, r.holder!]));
    // A key another transaction committed while this statement ran is not in its snapshot: read it again.
    const unseen = claims.filter((c) => !holders.has(c.id));
    if (unseen.length > 0) {
      const later: Array<{ key: string; inbound_email_id: string }> = await tx.query(
        `SELECT key, inbound_email_id FROM email_ingest.message_keys WHERE key = ANY($1::text[])`,
        [unseen.map((c) => c.key)],
      );
      const byKey = new Map(later.map((r) => [r.key, r.inbound_email_id]));
      for (const c of unseen) {
        const holder = byKey.get(c.key);
        if (!holder) throw new Error(`duplicate key of ${c.id} neither claimed nor held`);
        holders.set(c.id, holder);
      }
    }
    return holders;
  }

  /**
   * Per sender address, the messages received from it within the last hour that became or
   * are becoming tickets or comments (`excludeIds`, the messages being decided, left out).
   * Takes a lock on each sender first (until the caller's transaction ends, in address order),
   * so concurrent messages of one sender are counted one after the other and the limit is
   * exact; the count is a statement of its own, so it sees what the previous holder committed.
   */
  async recentFrom(tx: EntityManager, addresses: readonly string[], excludeIds: readonly string[]): Promise<Map<string, number>> {
    const senders = [...new Set(addresses)].sort();
    if (senders.length === 0) return new Map();
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('email_ingest.sender:' || s.address, 0))
         FROM (SELECT a AS address FROM unnest($1::text[]) AS a ORDER BY a) s`,
      [senders],
    );
    // A count per sender, each an index range on (from_address, received_at): whatever the
    // planner believes about the table, the cost is the senders' own mail, never every message
    // of the last hour (a scan by status reads them all when statistics are stale).
    const rows: Array<{ address: string; n: number }> = await tx.query(
      `SELECT s.address, (SELECT count(*)::int FROM email_ingest.inbound_emails e
          WHERE e.from_address = s.address AND e.received_at > now() - interval '1 hour' AND e.id <> ALL($2::uuid[])
            AND e.parsed_at IS NOT NULL AND e.status IN ('queued', 'ticket_created', 'appended')) AS n
         FROM unnest($1::text[]) AS s(address)`,
      [senders, excludeIds],
    );
    return new Map(rows.map((r) => [r.address, r.n]));
  }

  /** Writes what parsing found for each message, and their attachments: two statements for any number. */
  async recordParsed(tx: EntityManager, parsed: ReadonlyArray<{ id: string; fields: ParsedFields; attachments: readonly NewAttachment[] }>): Promise<void> {
    if (parsed.length === 0) return;
    const column = <T>(f: (p: ParsedFields) => T) => parsed.map((p) => f(p.fields));
    await tx.query(
      `UPDATE email_ingest.inbound_emails e SET message_id = p.message_id, from_address = p.from_address, from_name = p.from_name,
         subject = p.subject, text_body = p.text_body, stripped_text = p.stripped_text, html_body = p.html_body, parsed_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
           AS p(id, message_id, from_address, from_name, subject, text_body, stripped_text, html_body)
        WHERE e.id = p.id`,
      [
        parsed.map((p) => p.id),
        column((f) => f.messageId),
        column((f) => f.fromAddress),
        column((f) => f.fromName),
        column((f) => f.subject),
        column((f) => f.textBody),
        column((f) => f.strippedText),
        column((f) => f.htmlBody),
      ],
    );
    const attachments = parsed.flatMap((p) => p.attachments.map((a) => ({ ...a, inboundEmailId: p.id })));
    if (attachments.length === 0) return;
    await tx.query(
      `INSERT INTO email_ingest.attachments (id, inbound_email_id, position, filename, content_type, size, content_id, inline, content, omitted)
       SELECT a.id, a.inbound_email_id, a.position, a.filename, a.content_type, a.size, a.content_id, a.inline, a.content, a.omitted
         FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bool[], $9::bytea[], $10::text[])
           AS a(id, inbound_email_id, position, filename, content_type, size, content_id, inline, content, omitted)`,
      [
        attachments.map((a) => a.id),
        attachments.map((a) => a.inboundEmailId),
        attachments.map((a) => a.position),
        attachments.map((a) => a.filename),
        attachments.map((a) => a.contentType),
        attachments.map((a) => a.size),
        attachments.map((a) => a.contentId),
        attachments.map((a) => a.inline),
        attachments.map((a) => (a.content ? Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength) : null)),
        attachments.map((a) => a.omitted),
      ],
    );
  }

  /**
   * Gives a message its final status and announces it (`inbound_email.processed`, plus the
   * events that go with the outcome), in one statement; with `parsed`, what parsing found is
   * recorded by the same statement (an outcome decided without attachments being kept). Only a
   * message still `queued` moves: a redelivered answer changes nothing. Returns false when it
   * had moved already.
   */
  async finish(tx: EntityManager, id: string, outcome: Outcome, events: readonly OutboxEvent[] = [], parsed?: ParsedFields): Promise<boolean> {
    const q = new SqlParams();
    const parsedColumns = parsed
      ? `message_id = ${q.add(parsed.messageId)}, from_address = ${q.add(parsed.fromAddress)}, from_name = ${q.add(parsed.fromName)},
         subject = ${q.add(parsed.subject)}, text_body = ${q.add(parsed.textBody)}, stripped_text = ${q.add(parsed.strippedText)},
         html_body = ${q.add(parsed.htmlBody)}, parsed_at = now(),`
      : '';
    const rows: Array<{ id: string }> = await tx.query(
      `WITH done AS (
         UPDATE email_ingest.inbound_emails SET ${parsedColumns} status = ${q.add(outcome.status)}, reason = ${q.add(outcome.reason)},
           duplicate_of = ${q.add(outcome.duplicateOf ?? null)}, ticket_id = ${q.add(outcome.ticketId ?? null)},
           ticket_number = ${q.add(outcome.ticketNumber ?? null)}, comment_id = ${q.add(outcome.commentId ?? null)}, processed_at = now()
         WHERE id = ${q.add(id)} AND ${STILL_QUEUED('inbound_emails')}
         RETURNING ${PROCESSED_COLUMNS.join(', ')}
       ), announced AS (
         ${this.outbox.insertSql(q, [{ event: 'inbound_email.processed', payload: {} as InboundEmailProcessedPayload, key: 'processed' }, ...events], {
           from: 'done',
           // the processed event's payload is the row as the statement left it
           payload: (p) => `CASE WHEN e.key = 'processed' THEN ${processedPayload('done')} ELSE ${p} END`,
         })}
       )
       SELECT id FROM done`,
      q.values,
    );
    return rows.length > 0;
  }

  /** Announces parsed messages to tickets (they stay `queued` until tickets answers), in one statement. */
  async announce(tx: EntityManager, events: readonly OutboxEvent[]): Promise<void> {
    await this.outbox.enqueueMany(tx, events);
  }

  /**
   * Tickets' answers for many messages at once: each moves from `queued` to its outcome and is
   * announced (`inbound_email.processed`, in the context of the request it came from), in one
   * statement. A message no longer `queued` (a redelivered answer) changes nothing.
   */
  async finishRouted(tx: EntityManager, outcomes: ReadonlyArray<{ id: string; outcome: Outcome; requestId: string | null }>): Promise<void> {
    if (outcomes.length === 0) return;
    await tx.query(
      `WITH o AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::int[], $6::uuid[], $7::text[])
           AS o(id, status, reason, ticket_id, ticket_number, comment_id, request_id)
       ), done AS (
         UPDATE email_ingest.inbound_emails e SET status = o.status, reason = o.reason, duplicate_of = NULL, ticket_id = o.ticket_id,
           ticket_number = o.ticket_number, comment_id = o.comment_id, processed_at = now()
           FROM o WHERE e.id = o.id AND ${STILL_QUEUED('e')}
         RETURNING ${PROCESSED_COLUMNS.map((c) => `e.${c}`).join(', ')}, o.request_id
       )
       INSERT INTO ${this.outbox.table} (event, payload, request_id)
       SELECT 'inbound_email.processed', ${processedPayload('done')}, done.request_id FROM done`,
      [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.outcome.status),
        outcomes.map((o) => o.outcome.reason),
        outcomes.map((o) => o.outcome.ticketId ?? null),
        outcomes.map((o) => o.outcome.ticketNumber ?? null),
        outcomes.map((o) => o.outcome.commentId ?? null),
        outcomes.map((o) => o.requestId),
      ],
    );
  }
}
