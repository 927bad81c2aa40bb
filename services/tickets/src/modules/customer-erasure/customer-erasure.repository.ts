import { emailHashSql, type CustomerErasedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { commentSearchVector, ticketSearchVector } from '../tickets/search-terms.js';
import { ERASED, redactionPatterns, type PersonalDetails } from './personal-details.js';

/**
 * Audit-trail fields whose before and after are the customer's own text or contact details.
 * No change records them today (subject, description and customer are set when a ticket is
 * opened), so this guards the day one does.
 */
const PERSONAL_FIELDS = ['subject', 'description', 'customer', 'customerEmail', 'customerName'];

/** The tickets of an erased customer, locked, and the details of theirs those tickets hold. */
export interface ErasedTickets {
  ids: string[];
  details: PersonalDetails;
}

/**
 * Removes an erased customer's personal data from their tickets, in the erasure's transaction.
 * The tickets stay for the shop's books (number, status, priority, times, order, the shop's id
 * of the customer); what the customer wrote and how to reach them goes. This is not a change
 * of the ticket's state, so it bypasses TicketChanges (the one write path of status, priority
 * and SLA changes) and announces nothing; each ticket's audit trail records the erasure.
 * The search vectors are written again from the text left (`search-terms`), so the customer's
 * words are no longer found either.
 */
@Injectable()
export class CustomerErasureRepository {
  /**
   * The customer's tickets, locked: those with the shop's id of the customer, and those opened
   * without any id from an address among the erased ones (by hash: the event carries no
   * address). A ticket of another customer who shares the address is theirs, not this one's.
   */
  async lockTickets(tx: EntityManager, e: CustomerErasedPayload): Promise<ErasedTickets> {
    const rows: Array<{ ids: string[]; addresses: string[]; names: string[] }> = await tx.query(
      `WITH matched AS (
         SELECT id, customer_email, customer_name FROM tickets.tickets
          WHERE customer_external_id = $1
             OR (customer_external_id IS NULL AND customer_email IS NOT NULL AND tickets.email_hash(customer_email) = ANY($2::text[]))
          ORDER BY id FOR UPDATE),
       authored AS (
         SELECT c.author_email, c.author_name FROM tickets.comments c JOIN matched m ON m.id = c.ticket_id WHERE c.author_type = 'customer')
       SELECT ARRAY(SELECT id FROM matched) AS ids,
              ARRAY(SELECT customer_email FROM matched UNION SELECT author_email FROM authored) AS addresses,
              ARRAY(SELECT customer_name FROM matched UNION SELECT author_name FROM authored) AS names`,
      [e.externalId, e.emailHashes],
    );
    const { ids, addresses, names } = rows[0]!;
    return { ids, details: { addresses, names, phones: [] } };
  }

  /**
   * Who was on the mail threads of the customer's tickets, and the customer's address on any
   * other ticket's thread (by hash): the tickets are kept for the books, their mail threads end.
   */
  async forgetMailParticipants(tx: EntityManager, ids: readonly string[], emailHashes: readonly string[]): Promise<void> {
    await tx.query(
      `DELETE FROM tickets.ticket_mail_participants WHERE ticket_id = ANY($1::uuid[]) OR tickets.email_hash(address) = ANY($2::text[])`,
      [ids, emailHashes],
    );
  }

  /** Subject and description are the customer's words; the contact fields are theirs. */
  async scrubTickets(tx: EntityManager, ids: readonly string[]): Promise<void> {
    await tx.query(
      `UPDATE tickets.tickets SET subject = $2, description = '', customer_email = NULL, customer_name = NULL, search = $3::tsvector WHERE id = ANY($1::uuid[])`,
      [ids, ERASED, ticketSearchVector(ERASED, '')],
    );
  }

  /**
   * The customer's comments lose their text, attachments and author details; the others
   * (agents', system notes) keep theirs with the customer's details taken out of the text.
   */
  async scrubComments(tx: EntityManager, ids: readonly string[], details: PersonalDetails): Promise<void> {
    const params: unknown[] = [ids, ERASED];
    const redacted = (column: string) => redact(column, redactionPatterns(details), params);
    // A SELECT over the UPDATE: TypeORM answers a bare UPDATE with [rows, count].
    const bodies: Array<{ id: string; body: string }> = await tx.query(
      `WITH scrubbed AS (UPDATE tickets.comments SET
         body = CASE WHEN author_type = 'customer' THEN $2 ELSE ${redacted('body')} END,
         html = CASE WHEN author_type = 'customer' THEN NULL ELSE ${redacted('html')} END,
         author_email = CASE WHEN author_type = 'customer' THEN NULL ELSE author_email END,
         author_name = CASE WHEN author_type = 'customer' THEN NULL ELSE author_name END,
         attachments = CASE WHEN author_type = 'customer' THEN '[]'::jsonb ELSE attachments END
       WHERE ticket_id = ANY($1::uuid[])
       RETURNING id, body) SELECT id, body FROM scrubbed`,
      params,
    );
    // The search vectors of what the comments say now.
    await tx.query(
      `UPDATE tickets.comments c SET search = s.search FROM unnest($1::uuid[], $2::tsvector[]) AS s(id, search) WHERE c.id = s.id`,
      [bodies.map((b) => b.id), bodies.map((b) => commentSearchVector(b.body))],
    );
  }

  /**
   * The audit trail keeps every entry; values that are the customer's own go, and their
   * details are taken out of the rest. Then each ticket records its erasure.
   */
  async scrubAuditTrail(tx: EntityManager, ids: readonly string[], details: PersonalDetails, erasedAt: Date): Promise<void> {
    const params: unknown[] = [ids, PERSONAL_FIELDS];
    const patterns = redactionPatterns(details, true);
    const redacted = (column: string) => `(${redact(`${column}::text`, patterns, params)})::jsonb`;
    await tx.query(
      `UPDATE tickets.ticket_events SET
         from_value = CASE WHEN field = ANY($2::text[]) THEN NULL ELSE ${redacted('from_value')} END,
         to_value = CASE WHEN field = ANY($2::text[]) THEN NULL ELSE ${redacted('to_value')} END,
         data = ${redacted('data')}
       WHERE ticket_id = ANY($1::uuid[])`,
      params,
    );
    await tx.query(
      `INSERT INTO tickets.ticket_events (ticket_id, type, actor_type, actor_id, data)
       SELECT id, 'customer_erased', 'system', NULL, jsonb_build_object('erasedAt', $2::timestamptz) FROM unnest($1::uuid[]) AS id`,
      [ids, erasedAt],
    );
  }

  /**
   * Events about the customer not yet confirmed delivered (or dead-lettered) are kept in the
   * outbox with their payloads, and one re-published after the erasure would carry the data
   * out again: their payloads are scrubbed the way the rows were, keeping each valid against
   * its contract (a ticket's customer keeps an empty address, so no mail can follow).
   */
  async scrubOutbox(tx: EntityManager, e: CustomerErasedPayload, ids: readonly string[]): Promise<void> {
    await tx.query(
      `UPDATE tickets.outbox SET payload = CASE
         WHEN event = 'customer.observed' THEN payload || '{"email": null, "name": null}'::jsonb
         ELSE jsonb_set(payload, '{ticket}', (payload -> 'ticket') || jsonb_build_object(
                'subject', $3::text,
                'customer', (payload #> '{ticket,customer}') || '{"email": "", "name": null, "locale": null}'::jsonb))
              || CASE WHEN payload -> 'comment' IS NOT NULL THEN jsonb_build_object('comment', (payload -> 'comment') || jsonb_build_object(
                   'body', $3::text,
                   'attachments', CASE WHEN payload #>> '{comment,author,type}' = 'customer' THEN '[]'::jsonb ELSE payload #> '{comment,attachments}' END,
                   'author', CASE WHEN payload #>> '{comment,author,type}' = 'customer'
                                  THEN (payload #> '{comment,author}') || '{"email": null, "name": null}'::jsonb
                                  ELSE payload #> '{comment,author}' END))
                 ELSE '{}'::jsonb END
         END
       WHERE (event = 'customer.observed' AND (payload ->> 'externalId' = $1
               OR (payload ->> 'externalId' IS NULL AND ${emailHashSql("payload ->> 'email'")} = ANY($2::text[]))))
          OR (payload #>> '{ticket,id}') = ANY($4::text[])`,
      [e.externalId, e.emailHashes, ERASED, ids],
    );
  }
}

/**
 * `expression` with the details replaced (addresses in any case, names and phones as written);
 * the patterns travel as parameters appended to `params`.
 */
function redact(expression: string, patterns: { addresses: string | null; words: string | null }, params: unknown[]): string {
  let sql = expression;
  if (patterns.addresses) {
    params.push(patterns.addresses);
    sql = `regexp_replace(${sql}, $${params.length}, '${ERASED}', 'gi')`;
  }
  if (patterns.words) {
    params.push(patterns.words);
    sql = `regexp_replace(${sql}, $${params.length}, '${ERASED}', 'g')`;
  }
  return sql;
}
