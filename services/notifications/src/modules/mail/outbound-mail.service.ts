import { MAIL_SEND_MAX_MESSAGES } from '@careflow/contracts';
import { Outbox, SqlParams } from '@careflow/persistence';
import { RequestContext } from '@careflow/platform';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationsConfig } from '../../config/notifications.config.js';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';
import { domainOf, generateMessageId, referencesChain } from './mail-composer.js';
import type { NewOutboundMessageRow } from './outbound-message.row.js';
import { chooseLocale, renderMail, type MailKind, type MailParams } from './templates.js';

export interface MailRequest<K extends MailKind = MailKind> {
  kind: K;
  /** One message per business fact, e.g. `shipment:<id>:delivered`: asking twice sends once. */
  dedupeKey: string;
  to: { address: string | null; name: string | null };
  locale: string | null;
  customerExternalId: string | null;
  params: Omit<MailParams<K>, 'shopName'>;
  /** Why the message must not go out (no address, the address bounces): logged as suppressed. */
  suppressedBecause?: string | null;
  ticketId?: string | null;
  shipmentId?: string | null;
  replyTo?: string | null;
  /** Message-IDs of the earlier messages of the same conversation, oldest first. */
  thread?: string[];
}

/**
 * Who gets a customer's mail and in which language: what the event says, else the customer
 * projection; and why not, when the customer's address is known to bounce.
 */
export function recipientFor(
  customer: CustomerProjectionRecord | null,
  given: { email?: string | null; name?: string | null; locale?: string | null } = {},
): Pick<MailRequest, 'to' | 'locale' | 'suppressedBecause'> {
  return {
    to: { address: given.email || customer?.email || null, name: given.name ?? customer?.name ?? null },
    locale: given.locale ?? customer?.locale ?? null,
    suppressedBecause: customer?.undeliverableReason ? `the customer's address is undeliverable: ${customer.undeliverableReason}` : null,
  };
}

/** A message rendered and given its ids, ready to be written by a statement (see `insertSql`). */
export interface PreparedMail {
  id: string;
  /** False when the message is logged as suppressed and not sent. */
  queued: boolean;
  row: NewOutboundMessageRow;
}

/** Each column with the SQL type its array parameter is read as (references travel as JSON: arrays of arrays do not unnest). */
const MESSAGE_COLUMNS: ReadonlyArray<[keyof NewOutboundMessageRow, string]> = [
  ['id', 'uuid'], ['template', 'text'], ['locale', 'text'], ['to_address', 'text'], ['to_name', 'text'], ['customer_external_id', 'text'],
  ['subject', 'text'], ['text_body', 'text'], ['html_body', 'text'], ['reply_to', 'text'], ['message_id', 'text'], ['in_reply_to', 'text'],
  ['references', 'jsonb'], ['ticket_id', 'uuid'], ['shipment_id', 'uuid'], ['dedupe_key', 'text'], ['status', 'text'], ['error', 'text'],
];

/**
 * Records outbound messages, each with the job that sends it in the same statement. Every
 * e-mail of the product goes through here: rendered from its template in the customer's
 * language, given its Message-ID (threading needs it before sending), logged.
 */
@Injectable()
export class OutboundMailService {
  private readonly domain: string;

  constructor(
    private readonly config: NotificationsConfig,
    private readonly outbox: Outbox,
  ) {
    this.domain = domainOf(config.MAIL_FROM);
  }

  /** Records a message and its send job; null when the message was recorded before (its dedupe key). */
  async queue<K extends MailKind>(db: EntityManager, m: MailRequest<K>): Promise<{ id: string; queued: boolean } | null> {
    const mail = this.prepare(m);
    const q = new SqlParams();
    const rows: Array<{ id: string }> = await db.query(`WITH ${this.insertSql(q, [{ mail }])} SELECT id FROM message`, q.values);
    return rows[0] ? { id: mail.id, queued: mail.queued } : null;
  }

  /** Renders the message in the customer's language and gives it its ids; nothing is written. */
  prepare<K extends MailKind>(m: MailRequest<K>): PreparedMail {
    const locale = chooseLocale(m.locale);
    const rendered = renderMail(m.kind, locale, { ...m.params, shopName: this.config.SHOP_NAME } as MailParams<K>);
    const thread = m.thread ?? [];
    const suppressed = m.suppressedBecause ?? (m.to.address ? null : 'no e-mail address is known for this customer');
    const id = randomUUID();
    return {
      id,
      queued: !suppressed,
      row: {
        id, template: m.kind, locale, to_address: m.to.address, to_name: m.to.name, customer_external_id: m.customerExternalId,
        subject: rendered.subject, text_body: rendered.text, html_body: rendered.html, reply_to: m.replyTo ?? null,
        message_id: generateMessageId(this.domain), in_reply_to: thread.at(-1) ?? null, references: referencesChain(thread),
        ticket_id: m.ticketId ?? null, shipment_id: m.shipmentId ?? null, dedupe_key: m.dedupeKey,
        status: suppressed ? 'suppressed' : 'queued', error: suppressed,
      },
    };
  }

  /**
   * CTEs for a larger statement: `message` inserts the prepared messages, and `message_job` one
   * `mail.send` outbox row for all of them that were inserted to be sent (none when there are
   * none). A message whose dedupe key was used before is not inserted. With `from` (a CTE of
   * the same statement), each message is written only when a row of it matches `on`, a
   * condition on `m.key` (the key given with the message): the statement decides which notices
   * are due. `requestId` is the request each message belongs to (default: the current one).
   */
  insertSql(
    q: SqlParams,
    mails: ReadonlyArray<{ mail: PreparedMail; key?: string; requestId?: string | null }>,
    match: { from: string; on?: string } | null = null,
  ): string {
    if (mails.length > MAIL_SEND_MAX_MESSAGES) throw new Error(`at most ${MAIL_SEND_MAX_MESSAGES} messages per statement, got ${mails.length}`);
    const columns = MESSAGE_COLUMNS.map(([name, type]) => {
      const values = mails.map(({ mail }) => (name === 'references' ? JSON.stringify(mail.row.references) : mail.row[name]));
      return { name, expression: type === 'jsonb' ? `ARRAY(SELECT jsonb_array_elements_text(m."${name}"))` : `m."${name}"`, param: `${q.add(values)}::${type}[]` };
    });
    const keys = q.add(mails.map(({ key }) => key ?? null));
    const source = match ? ` JOIN ${match.from} ON ${match.on ?? 'true'}` : '';
    const queued = mails.filter(({ mail }) => mail.queued);
    const current = RequestContext.requestId() ?? null;
    return `message AS (
        INSERT INTO notifications.outbound_messages (${columns.map((c) => `"${c.name}"`).join(', ')})
        SELECT ${columns.map((c) => c.expression).join(', ')}
          FROM unnest(${columns.map((c) => c.param).join(', ')}, ${keys}::text[]) AS m(${columns.map((c) => `"${c.name}"`).join(', ')}, key)${source}
        ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
      ), message_to_send AS (
        SELECT j.id, j.request_id, j.n
          FROM unnest(${q.add(queued.map(({ mail }) => mail.id))}::uuid[], ${q.add(queued.map(({ requestId }) => (requestId === undefined ? current : requestId)))}::text[])
               WITH ORDINALITY AS j(id, request_id, n)
          JOIN message ON message.id = j.id
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
}
