import { MAIL_SEND_MAX_MESSAGES, type NotificationStatus } from '@careflow/contracts';
import { Outbox, PreparedStatements, SqlParams, type OutboxEvent } from '@careflow/persistence';
import { RequestContext } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { NewOutboundMessage, OutboundMessageRecord, QueuedMessageRecord } from './outbound-message.record.js';
import type { MailKind } from './templates.js';

/** A row of notifications.outbound_messages. */
interface OutboundMessageRow {
  id: string;
  channel: 'email';
  template: MailKind;
  locale: string;
  to_address: string | null;
  to_name: string | null;
  customer_external_id: string | null;
  subject: string;
  text_body: string;
  html_body: string;
  reply_to: string | null;
  message_id: string;
  in_reply_to: string | null;
  references: string[];
  ticket_id: string | null;
  shipment_id: string | null;
  dedupe_key: string;
  status: NotificationStatus;
  error: string | null;
  attempts: number;
  attempt_started_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toRecord(r: OutboundMessageRow): OutboundMessageRecord {
  return {
    id: r.id,
    channel: r.channel,
    template: r.template,
    locale: r.locale,
    toAddress: r.to_address,
    toName: r.to_name,
    customerExternalId: r.customer_external_id,
    subject: r.subject,
    textBody: r.text_body,
    htmlBody: r.html_body,
    replyTo: r.reply_to,
    messageId: r.message_id,
    inReplyTo: r.in_reply_to,
    references: r.references,
    ticketId: r.ticket_id,
    shipmentId: r.shipment_id,
    dedupeKey: r.dedupe_key,
    status: r.status,
    error: r.error,
    attempts: Number(r.attempts),
    attemptStartedAt: r.attempt_started_at,
    sentAt: r.sent_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The error of a message suppressed because its address bounced, before the bounce's reason. */
export const UNDELIVERABLE_ADDRESS = 'the address is undeliverable: ';

/** Rows that are queued: they have an address (one without is suppressed when recorded). */
const toQueuedRecord = (r: OutboundMessageRow) => toRecord(r) as QueuedMessageRecord;

/**
 * Each column a new message writes, with the SQL type its array parameter is read as
 * (references travel as JSON: arrays of arrays do not unnest), and the field it comes from.
 */
const MESSAGE_COLUMNS: ReadonlyArray<[column: string, type: string, field: keyof NewOutboundMessage]> = [
  ['id', 'uuid', 'id'], ['template', 'text', 'template'], ['locale', 'text', 'locale'], ['to_address', 'text', 'toAddress'],
  ['to_name', 'text', 'toName'], ['customer_external_id', 'text', 'customerExternalId'], ['subject', 'text', 'subject'],
  ['text_body', 'text', 'textBody'], ['html_body', 'text', 'htmlBody'], ['reply_to', 'text', 'replyTo'], ['message_id', 'text', 'messageId'],
  ['in_reply_to', 'text', 'inReplyTo'], ['references', 'jsonb', 'references'], ['ticket_id', 'uuid', 'ticketId'],
  ['shipment_id', 'uuid', 'shipmentId'], ['dedupe_key', 'text', 'dedupeKey'], ['status', 'text', 'status'], ['error', 'text', 'error'],
];

/** The log's filters; each one left null matches every message. */
export interface OutboundMessageFilter {
  customerExternalId: string | null;
  status: NotificationStatus | null;
  template: string | null;
}

/** Where a page of the log continues: after this message (newest first). */
export interface OutboundMessageCursor {
  /** created_at at full precision, as `createdCursor` gave it. */
  createdAt: string;
  id: string;
}

/** A message's outcome, known once its SMTP conversation is over. */
export interface MessageOutcome {
  id: string;
  status: 'sent' | 'failed';
  error: string | null;
}

/**
 * The outbound message log (`notifications.outbound_messages`). A message is written with the
 * job that sends it, by one statement (`insertSql`, also a part of larger statements such as a
 * tracking event's); the mail worker's claims and outcomes are batch statements run prepared.
 */
@Injectable()
export class OutboundMessagesRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: Outbox,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * Records a message and its send job; returns its status as recorded (an address known to
   * bounce suppresses it), or null when one with its dedupe key was recorded before.
   */
  async insert(db: EntityManager, message: NewOutboundMessage): Promise<NewOutboundMessage['status'] | null> {
    const q = new SqlParams();
    const rows: Array<{ status: NewOutboundMessage['status'] }> = await db.query(`WITH ${this.insertSql(q, [{ mail: message }])} SELECT status FROM message`, q.values);
    return rows[0]?.status ?? null;
  }

  /** `insert` for many messages (each with the request it belongs to): one statement per MAIL_SEND_MAX_MESSAGES. */
  async insertMany(db: EntityManager, mails: ReadonlyArray<{ mail: NewOutboundMessage; requestId: string | null }>): Promise<void> {
    for (let i = 0; i < mails.length; i += MAIL_SEND_MAX_MESSAGES) {
      const q = new SqlParams();
      await db.query(`WITH ${this.insertSql(q, mails.slice(i, i + MAIL_SEND_MAX_MESSAGES))} SELECT count(*) FROM message`, q.values);
    }
  }

  /**
   * CTEs for a larger statement: `message` inserts the messages, and `message_job` one
   * `mail.send` outbox row for all of them that were inserted to be sent (none when there are
   * none). A message whose dedupe key was used before is not inserted. With `from` (a CTE of
   * the same statement), each message is written only when a row of it matches `on`, a
   * condition on `m.key` (the key given with the message): the statement decides which notices
   * are due. `requestId` is the request each message belongs to (default: the current one).
   */
  insertSql(
    q: SqlParams,
    mails: ReadonlyArray<{ mail: NewOutboundMessage; key?: string; requestId?: string | null }>,
    match: { from: string; on?: string } | null = null,
  ): string {
    if (mails.length > MAIL_SEND_MAX_MESSAGES) throw new Error(`at most ${MAIL_SEND_MAX_MESSAGES} messages per statement, got ${mails.length}`);
    // A message to an address known to bounce is recorded suppressed, with the bounce's reason,
    // whichever path recorded it and whether or not the address belongs to a known customer.
    const bounces = `m."status" = 'queued' AND u.address IS NOT NULL`;
    const columns = MESSAGE_COLUMNS.map(([name, type, field]) => {
      const values = mails.map(({ mail }) => (field === 'references' ? JSON.stringify(mail.references) : mail[field]));
      const expression =
        type === 'jsonb' ? `ARRAY(SELECT jsonb_array_elements_text(m."${name}"))`
        : name === 'status' ? `CASE WHEN ${bounces} THEN 'suppressed' ELSE m."status" END`
        : name === 'error' ? `CASE WHEN ${bounces} THEN ${q.add(UNDELIVERABLE_ADDRESS)} || u.reason ELSE m."error" END`
        : `m."${name}"`;
      return { name, expression, param: `${q.add(values)}::${type}[]` };
    });
    const keys = q.add(mails.map(({ key }) => key ?? null));
    const source = match ? ` JOIN ${match.from} ON ${match.on ?? 'true'}` : '';
    const queued = mails.filter(({ mail }) => mail.status === 'queued');
    const current = RequestContext.requestId() ?? null;
    return `message AS (
        INSERT INTO notifications.outbound_messages (${columns.map((c) => `"${c.name}"`).join(', ')})
        SELECT ${columns.map((c) => c.expression).join(', ')}
          FROM unnest(${columns.map((c) => c.param).join(', ')}, ${keys}::text[]) AS m(${columns.map((c) => `"${c.name}"`).join(', ')}, key)${source}
          LEFT JOIN notifications.undeliverable_addresses u ON u.address = lower(m."to_address")
        ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, status
      ), message_to_send AS (
        SELECT j.id, j.request_id, j.n
          FROM unnest(${q.add(queued.map(({ mail }) => mail.id))}::uuid[], ${q.add(queued.map(({ requestId }) => (requestId === undefined ? current : requestId)))}::text[])
               WITH ORDINALITY AS j(id, request_id, n)
          JOIN message ON message.id = j.id AND message.status = 'queued'
      ), message_job AS (
        ${this.outbox.insertAggregateSql(q, 'mail.send', 'message_to_send', {
          payload: `jsonb_build_object('messages', jsonb_agg(jsonb_build_object('id', id, 'requestId', request_id) ORDER BY n))`,
          // The job's own request: the one all its messages came with, if they share one.
          requestId: `CASE WHEN count(DISTINCT request_id) = 1 AND count(request_id) = count(*) THEN min(request_id) END`,
        })}
      )`;
  }

  /** Message-IDs already sent or queued for a ticket, oldest first: the thread to reply into. */
  async ticketThread(tx: EntityManager, ticketId: string): Promise<string[]> {
    const rows: Array<{ message_id: string }> = await tx.query(
      `SELECT message_id FROM notifications.outbound_messages WHERE ticket_id = $1 AND status <> 'suppressed' ORDER BY created_at, id`,
      [ticketId],
    );
    return rows.map((r) => r.message_id);
  }

  /** The log, newest first: at most `limit` messages after `cursor`, each with its `createdCursor`. */
  async list(
    filter: OutboundMessageFilter,
    cursor: OutboundMessageCursor | null,
    limit: number,
  ): Promise<Array<OutboundMessageRecord & { createdCursor: string }>> {
    const rows: Array<OutboundMessageRow & { cursor_at: string }> = await this.db.query(
      `SELECT *, created_at::text AS cursor_at FROM notifications.outbound_messages
        WHERE ($1::text IS NULL OR customer_external_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR template = $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $6`,
      [filter.customerExternalId, filter.status, filter.template, cursor?.createdAt ?? null, cursor?.id ?? null, limit],
    );
    return rows.map((r) => ({ ...toRecord(r), createdCursor: r.cursor_at }));
  }

  /**
   * Records the start of an attempt on each of the messages still waiting to be sent (queued,
   * no attempt under way); returns those, in no particular order. One statement for the batch.
   */
  async claimAttempts(ids: readonly string[]): Promise<QueuedMessageRecord[]> {
    const rows = await this.statements.query<OutboundMessageRow>(
      `UPDATE notifications.outbound_messages SET attempt_started_at = now(), attempts = attempts + 1, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'queued' AND attempt_started_at IS NULL RETURNING *`,
      [ids],
    );
    return rows.map(toQueuedRecord);
  }

  /** Of the messages given, those still queued with an attempt started: a sender died in the middle. */
  async findUnfinished(ids: readonly string[]): Promise<QueuedMessageRecord[]> {
    const rows = await this.statements.query<OutboundMessageRow>(
      `SELECT * FROM notifications.outbound_messages WHERE id = ANY($1::uuid[]) AND status = 'queued' AND attempt_started_at IS NOT NULL`,
      [ids],
    );
    return rows.map(toQueuedRecord);
  }

  /**
   * An attempt whose outcome is known and is not final (a 4xx): cleared, so a retry may send.
   * A message without an address was erased while its attempt ran: the relay's reply may quote
   * the address, so it keeps the erasure's note instead.
   */
  async releaseAttempt(db: EntityManager, id: string, error: string): Promise<void> {
    await db.query(
      `UPDATE notifications.outbound_messages SET attempt_started_at = NULL, error = CASE WHEN to_address IS NULL THEN error ELSE $2 END, updated_at = now()
        WHERE id = $1`,
      [id, error],
    );
  }

  /**
   * Each message's final outcome, with its events (notification.sent / notification.failed, one
   * per message, naming it by `id`), in one statement. A message without an address was erased
   * while its attempt ran (every other claimed message has one): the outcome is recorded, but
   * neither the row nor its event keeps the address or the relay's reply, which may quote it
   * (the error reads `[erased]`, as the erasure leaves a recorded error).
   */
  async recordOutcomes(outcomes: readonly MessageOutcome[], sentAt: Date, events: readonly OutboxEvent[]): Promise<void> {
    const q = new SqlParams();
    const erasedPayload = (p: string) =>
      `CASE WHEN outcome.erased THEN ${p} || jsonb_build_object('to', '', 'error', CASE WHEN ${p} ->> 'error' IS NULL THEN NULL ELSE '[erased]' END) ELSE ${p} END`;
    await this.statements.query(
      `WITH outcome AS (
         UPDATE notifications.outbound_messages m
            SET status = o.status, error = CASE WHEN m.to_address IS NULL AND o.error IS NOT NULL THEN '[erased]' ELSE o.error END, attempt_started_at = NULL, updated_at = now(),
                sent_at = CASE WHEN o.status = 'sent' THEN ${q.add(sentAt)}::timestamptz END
           FROM unnest(${q.add(outcomes.map((o) => o.id))}::uuid[], ${q.add(outcomes.map((o) => o.status))}::text[],
                       ${q.add(outcomes.map((o) => o.error))}::text[]) AS o(id, status, error)
          WHERE m.id = o.id
          RETURNING m.id, m.to_address IS NULL AS erased
       ), announced AS (
         ${this.outbox.insertSql(q, events, { from: 'outcome', on: `outcome.id = (e.payload ->> 'id')::uuid`, payload: erasedPayload })}
       )
       SELECT 1`,
      q.values,
    );
  }
}
