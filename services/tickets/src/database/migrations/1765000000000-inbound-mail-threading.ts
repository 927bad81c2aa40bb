import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InboundMailThreading1765000000000 implements MigrationInterface {
  name = 'InboundMailThreading1765000000000';

  async up(db: QueryRunner): Promise<void> {
    // Message-IDs of the mail a ticket received, so a reply naming one in In-Reply-To or
    // References threads to it (mail the product sent carries the ticket id in its own ids).
    await db.query(`
      CREATE TABLE tickets.ticket_mail_messages (
        message_id text PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
        inbound_email_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ticket_mail_messages_ticket_idx ON tickets.ticket_mail_messages (ticket_id)`);

    // Who was on a ticket's mail thread (From, To, Cc of its inbound mail), lower-case: besides
    // the customer, only they may append to it by mail.
    await db.query(`
      CREATE TABLE tickets.ticket_mail_participants (
        ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
        address text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ticket_id, address)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE tickets.ticket_mail_participants`);
    await db.query(`DROP TABLE tickets.ticket_mail_messages`);
  }
}
