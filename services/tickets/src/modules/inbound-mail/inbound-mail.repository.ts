import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What tickets remembers of a ticket's inbound mail: the Message-IDs it received and who was on the thread. */
@Injectable()
export class InboundMailRepository {
  /** The tickets that received messages with these Message-IDs, by Message-ID. */
  async ticketsOfMessages(tx: EntityManager, messageIds: readonly string[]): Promise<Map<string, string>> {
    if (messageIds.length === 0) return new Map();
    const rows: Array<{ message_id: string; ticket_id: string }> = await tx.query(
      `SELECT message_id, ticket_id FROM tickets.ticket_mail_messages WHERE message_id = ANY($1::text[])`,
      [messageIds],
    );
    return new Map(rows.map((r) => [r.message_id, r.ticket_id]));
  }

  /** Those of these inbound messages that became a ticket or a comment already (a redelivered message). */
  async routedAmong(tx: EntityManager, inboundEmailIds: readonly string[]): Promise<Set<string>> {
    if (inboundEmailIds.length === 0) return new Set();
    const rows: Array<{ id: string }> = await tx.query(
      `SELECT source_inbound_email_id AS id FROM tickets.tickets WHERE source_inbound_email_id = ANY($1::uuid[])
       UNION SELECT source_inbound_email_id FROM tickets.comments WHERE source_inbound_email_id = ANY($1::uuid[])`,
      [inboundEmailIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The Message-IDs tickets received, and who was on each thread, for many messages in two statements. */
  async recordMessages(
    tx: EntityManager,
    messages: ReadonlyArray<{ messageId: string; ticketId: string; inboundEmailId: string; participants: readonly string[] }>,
  ): Promise<void> {
    if (messages.length === 0) return;
    await tx.query(
      `INSERT INTO tickets.ticket_mail_messages (message_id, ticket_id, inbound_email_id)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[]) ON CONFLICT (message_id) DO NOTHING`,
      [messages.map((m) => m.messageId), messages.map((m) => m.ticketId), messages.map((m) => m.inboundEmailId)],
    );
    const participants = messages.flatMap((m) => m.participants.map((address) => ({ ticketId: m.ticketId, address })));
    if (participants.length === 0) return;
    await tx.query(
      `INSERT INTO tickets.ticket_mail_participants (ticket_id, address)
       SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING`,
      [participants.map((p) => p.ticketId), participants.map((p) => p.address)],
    );
  }

  /**
   * Whether `address` (lower-case) may write to the ticket: its customer's address (on the
   * ticket or in the customer projection), or one that was on its thread or on the thread of
   * the closed ticket it follows up.
   */
  async isParticipant(tx: EntityManager, ticketId: string, address: string): Promise<boolean> {
    const rows: Array<{ participant: boolean }> = await tx.query(
      `SELECT EXISTS (
                SELECT 1 FROM tickets.tickets t LEFT JOIN tickets.customers c ON c.external_id = t.customer_external_id
                 WHERE t.id = $1 AND (lower(t.customer_email) = $2 OR lower(c.email) = $2))
           OR EXISTS (
                SELECT 1 FROM tickets.ticket_mail_participants p
                 WHERE p.address = $2 AND p.ticket_id IN (SELECT $1::uuid UNION SELECT follow_up_of FROM tickets.tickets WHERE id = $1)) AS participant`,
      [ticketId, address],
    );
    return rows[0]?.participant === true;
  }
}
