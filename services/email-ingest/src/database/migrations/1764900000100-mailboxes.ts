import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * IMAP mailboxes the service fetches, as self-hosted helpdesks do: where and how to connect
 * (the credential encrypted), what to do with a message once its raw bytes are stored, how
 * the last fetch went, and which replica holds the mailbox (a lease, so one fetches it).
 */
export class Mailboxes1764900000100 implements MigrationInterface {
  name = 'Mailboxes1764900000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE email_ingest.mailboxes (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        host text NOT NULL,
        port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
        tls text NOT NULL CHECK (tls IN ('implicit', 'starttls', 'none')),
        username text NOT NULL,
        auth_method text NOT NULL CHECK (auth_method IN ('password', 'xoauth2')),
        -- AES-256-GCM of the password or access token: 12-byte IV, 16-byte tag, ciphertext;
        -- the mailbox id is the associated data, so a ciphertext cannot be moved to another row
        secret bytea NOT NULL,
        -- which MAILBOX_ENCRYPTION_KEY encrypted it (a fingerprint), so keys can be rotated
        secret_key_id text NOT NULL,
        folder text NOT NULL,
        after_fetch text NOT NULL CHECK (after_fetch IN ('seen', 'move', 'delete')),
        move_to text,
        group_key text,
        enabled boolean NOT NULL DEFAULT true,
        poll_seconds integer NOT NULL CHECK (poll_seconds BETWEEN 5 AND 86400),
        -- bumped by every change of the settings: a running fetcher restarts with the new ones
        version integer NOT NULL DEFAULT 1,
        state text NOT NULL DEFAULT 'connecting' CHECK (state IN ('connecting', 'idle', 'polling', 'error')),
        last_fetch_at timestamptz,
        last_success_at timestamptz,
        last_error text,
        last_error_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        fetched_count bigint NOT NULL DEFAULT 0,
        -- the folder's UIDVALIDITY and the highest UID handled under it: later fetches start above it
        uid_validity bigint,
        last_uid bigint NOT NULL DEFAULT 0,
        lease_owner text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((after_fetch = 'move') = (move_to IS NOT NULL))
      )`);
    // One registration per folder of an account: two would fetch (and move) the same messages.
    await db.query(`CREATE UNIQUE INDEX mailboxes_account_folder ON email_ingest.mailboxes (lower(host), port, username, folder)`);
    await db.query(`CREATE INDEX mailboxes_created ON email_ingest.mailboxes (created_at, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE email_ingest.mailboxes`);
  }
}
