import type { InboundEmailProcessedPayload } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Outbox, SqlParams, type OutboxEvent } from '@careflow/persistence';
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
   * this returns, the message is safe whatever happens to parsing, workers or Redis.
   */
  async insertReceived(raw: Uint8Array, source: InboundSource, mailboxId: string | null, db: DataSource | EntityManager = this.db): Promise<{ id: string; receivedAt: Date }> {
    const id = randomUUID();
    const q = new SqlParams();
    const rows: Array<{ id: string; received_at: Date }> = await db.query(
      `WITH e AS (
         INSERT INTO email_ingest.inbound_emails (id, source, mailbox_id, raw, raw_size)
         VALUES (${q.add(id)}, ${q.add(source)}, ${q.add(mailboxId)}, ${q.add(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength))}, ${q.add(raw.byteLength)})
         RETURNING id, received_at
       ), announced AS (${this.outbox.insertSql(q, [{ event: 'inbound_email.received', payload: { inboundEmailId: id } }])})
       SELECT id, received_at FROM e`,
      q.values,
    );
    return { id: rows[0]!.id, receivedAt: rows[0]!.received_at };
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

  /** The raw message, for processing: locked, so two deliveries of its job do not process it twice at once. */
  async lockForProcessing(tx: EntityManager, id: string): Promise<LockedMessage | null> {
    const rows: Array<{ id: string; mailbox_id: string | null; raw: Buffer; status: InboundEmailRecord['status']; parsed: boolean; received_at: Date }> = await tx.query(
      `SELECT id, mailbox_id, raw, status, parsed_at IS NOT NULL AS parsed, received_at FROM email_ingest.inbound_emails WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const r = rows[0];
    return r ? { id: r.id, mailboxId: r.mailbox_id, raw: r.raw, status: r.status, parsed: r.parsed, receivedAt: r.received_at } : null;
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
   * Claims a message's duplicate key for it. A concurrent copy blocks on the key until the
   * first commits and then finds it taken; returns the id of the message that holds the key
   * when it is another one.
   */
  async claimKey(tx: EntityManager, key: string, id: string): Promise<{ claimed: true } | { claimed: false; by: string }> {
    const rows: Array<{ inbound_email_id: string; claimed: boolean }> = await tx.query(
      `WITH ins AS (
         INSERT INTO email_ingest.message_keys (key, inbound_email_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING inbound_email_id
       )
       SELECT inbound_email_id, true AS claimed FROM ins
       UNION ALL
       SELECT inbound_email_id, false FROM email_ingest.message_keys WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,
      [key, id],
    );
    const r = rows[0]!;
    return r.claimed || r.inbound_email_id === id ? { claimed: true } : { claimed: false, by: r.inbound_email_id };
  }

  /**
   * Messages from `address` received within the last hour that became or are becoming tickets
   * or comments. Takes a lock on the sender first (until the caller's transaction ends), so
   * concurrent messages of one sender are counted one after the other and the limit is exact.
   */
  async recentFrom(tx: EntityManager, address: string, excludeId: string): Promise<number> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('email_ingest.sender:' || $1, 0))`, [address]);
    const rows: Array<{ n: number }> = await tx.query(
      `SELECT count(*)::int AS n FROM email_ingest.inbound_emails
        WHERE from_address = $1 AND received_at > now() - interval '1 hour' AND id <> $2
          AND parsed_at IS NOT NULL AND status IN ('queued', 'ticket_created', 'appended')`,
      [address, excludeId],
    );
    return rows[0]!.n;
  }

  /** Writes what parsing found, and the message's attachments. */
  async recordParsed(tx: EntityManager, id: string, fields: ParsedFields, attachments: readonly NewAttachment[]): Promise<void> {
    await tx.query(
      `UPDATE email_ingest.inbound_emails SET message_id = $2, from_address = $3, from_name = $4, subject = $5, text_body = $6,
         stripped_text = $7, html_body = $8, parsed_at = now() WHERE id = $1`,
      [id, fields.messageId, fields.fromAddress, fields.fromName, fields.subject, fields.textBody, fields.strippedText, fields.htmlBody],
    );
    if (attachments.length === 0) return;
    await tx.query(
      `INSERT INTO email_ingest.attachments (id, inbound_email_id, position, filename, content_type, size, content_id, inline, content, omitted)
       SELECT a.id, $1, a.position, a.filename, a.content_type, a.size, a.content_id, a.inline, a.content, a.omitted
         FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bool[], $9::bytea[], $10::text[])
           AS a(id, position, filename, content_type, size, content_id, inline, content, omitted)`,
      [
        id,
        attachments.map((a) => a.id),
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
    // receivedAt and processedAt are added by the statement (see `payload` below).
    const processed: Omit<InboundEmailProcessedPayload, 'receivedAt' | 'processedAt'> = {
      id,
      status: outcome.status,
      ticketId: outcome.ticketId ?? null,
      commentId: outcome.commentId ?? null,
      reason: outcome.reason,
      messageId: null,
      from: null,
      subject: null,
    };
    const rows: Array<{ id: string }> = await tx.query(
      `WITH done AS (
         UPDATE email_ingest.inbound_emails SET ${parsedColumns} status = ${q.add(outcome.status)}, reason = ${q.add(outcome.reason)},
           duplicate_of = ${q.add(outcome.duplicateOf ?? null)}, ticket_id = ${q.add(outcome.ticketId ?? null)},
           ticket_number = ${q.add(outcome.ticketNumber ?? null)}, comment_id = ${q.add(outcome.commentId ?? null)}, processed_at = now()
         WHERE id = ${q.add(id)} AND status = 'queued'
         RETURNING id, message_id, from_address, subject, received_at, processed_at
       ), announced AS (
         ${this.outbox.insertSql(q, [{ event: 'inbound_email.processed', payload: processed as InboundEmailProcessedPayload, key: 'processed' }, ...events], {
           from: 'done',
           // the processed event completes its payload with what the row knows
           payload: (p) => `CASE WHEN e.key = 'processed' THEN ${p} || jsonb_build_object('messageId', done.message_id, 'from', done.from_address,
             'subject', done.subject, 'receivedAt', done.received_at, 'processedAt', done.processed_at) ELSE ${p} END`,
         })}
       )
       SELECT id FROM done`,
      q.values,
    );
    return rows.length > 0;
  }

  /** Announces the parsed message to tickets (it stays `queued` until tickets answers). */
  async announce(tx: EntityManager, events: readonly OutboxEvent[]): Promise<void> {
    for (const e of events) await this.outbox.enqueue(tx, e.event, e.payload as never);
  }
}
