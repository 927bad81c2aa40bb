import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound mail: every message as it arrived (raw bytes first, so nothing is lost when parsing
 * fails or a worker dies), what parsing found, where it went; the keys that make a message a
 * duplicate; attachments with their content.
 */
export class InboundMail1764900000000 implements MigrationInterface {
  name = 'InboundMail1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE email_ingest.inbound_emails (
        id uuid PRIMARY KEY,
        -- how it came: the API, a provider webhook, an IMAP mailbox, the SMTP listener
        source text NOT NULL CHECK (source IN ('api', 'mailgun', 'postmark', 'imap', 'smtp')),
        mailbox_id uuid,
        raw bytea NOT NULL,
        raw_size integer NOT NULL,
        status text NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'ticket_created', 'appended', 'duplicate', 'ignored_auto_reply', 'bounce', 'rejected')),
        -- a short machine-readable reason (rejected, ignored, duplicate) or how it was routed
        reason text,
        message_id text,
        from_address text,
        from_name text,
        subject text,
        text_body text,
        stripped_text text,
        html_body text,
        -- the message it repeats (status duplicate)
        duplicate_of uuid,
        ticket_id uuid,
        ticket_number integer,
        comment_id uuid,
        received_at timestamptz NOT NULL DEFAULT now(),
        parsed_at timestamptz,
        processed_at timestamptz,
        CHECK ((status = 'queued') = (processed_at IS NULL))
      )`);
    await db.query(`CREATE INDEX inbound_emails_received ON email_ingest.inbound_emails (received_at DESC, id DESC)`);
    await db.query(`CREATE INDEX inbound_emails_status ON email_ingest.inbound_emails (status, received_at DESC, id DESC)`);
    await db.query(`CREATE INDEX inbound_emails_from ON email_ingest.inbound_emails (from_address, received_at DESC, id DESC)`);
    // Messages still waiting (dropped again by 1765800000000: nothing reads by it).
    await db.query(`CREATE INDEX inbound_emails_queued ON email_ingest.inbound_emails (received_at) WHERE status = 'queued'`);

    // One row per distinct message (its Message-ID, else a hash of its content): the first copy
    // to claim the key is processed, every later one is a duplicate of it.
    await db.query(`
      CREATE TABLE email_ingest.message_keys (
        key text PRIMARY KEY,
        inbound_email_id uuid NOT NULL REFERENCES email_ingest.inbound_emails (id) ON DELETE CASCADE
      )`);

    await db.query(`
      CREATE TABLE email_ingest.attachments (
        id uuid PRIMARY KEY,
        inbound_email_id uuid NOT NULL REFERENCES email_ingest.inbound_emails (id) ON DELETE CASCADE,
        position integer NOT NULL,
        filename text NOT NULL,
        content_type text NOT NULL,
        size integer NOT NULL,
        content_id text,
        inline boolean NOT NULL,
        -- null when the part was over the caps (omitted says why)
        content bytea,
        omitted text,
        UNIQUE (inbound_email_id, position)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE email_ingest.attachments`);
    await db.query(`DROP TABLE email_ingest.message_keys`);
    await db.query(`DROP TABLE email_ingest.inbound_emails`);
  }
}
