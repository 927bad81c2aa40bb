import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: the shop's endpoints, every message (one per event, signed identically on every
 * attempt), one delivery per (message, endpoint) with its retry state, and every attempt.
 * Retry state lives here, not only in Redis: a delayed job lost with Redis is rebuilt from
 * `next_attempt_at`, as the ticket timers are.
 */
export class Webhooks1765100000000 implements MigrationInterface {
  name = 'Webhooks1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notifications.webhook_endpoints (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        description text,
        -- event types, or '{*}' for all
        events text[] NOT NULL,
        -- deliveries per second to this endpoint (null: no limit of its own)
        rate_limit integer CHECK (rate_limit > 0),
        enabled boolean NOT NULL DEFAULT true,
        disabled_at timestamptz,
        disabled_reason text,
        -- whsec_<base64 of 24 random bytes>; the previous one keeps signing until it expires (rotation)
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        -- the first failure since the last success: the endpoint is disabled when it is older than the span
        failing_since timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    await db.query(`CREATE INDEX webhook_endpoints_created ON notifications.webhook_endpoints (created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX webhook_endpoints_enabled_events ON notifications.webhook_endpoints USING gin (events) WHERE enabled`);

    await db.query(`
      CREATE TABLE notifications.webhook_messages (
        -- the webhook-id header: msg_<26 characters>, the same on every attempt and every endpoint
        id text PRIMARY KEY,
        -- the outbox event it announces (one message per event, however often the event is redelivered)
        event_id uuid UNIQUE,
        type text NOT NULL,
        -- the body as sent: { type, timestamp, data }
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE notifications.webhook_deliveries (
        id uuid PRIMARY KEY,
        message_id text NOT NULL REFERENCES notifications.webhook_messages (id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL REFERENCES notifications.webhook_endpoints (id) ON DELETE CASCADE,
        -- pending: an attempt is due at next_attempt_at; succeeded; failed: no attempt left (or the endpoint was disabled)
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_status_code integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (message_id, endpoint_id),
        CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX webhook_deliveries_endpoint ON notifications.webhook_deliveries (endpoint_id, created_at DESC, id DESC)`);
    // The reconciler's scan: attempts due (or overdue, their job lost) soonest first.
    await db.query(`CREATE INDEX webhook_deliveries_due ON notifications.webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);

    await db.query(`
      CREATE TABLE notifications.webhook_attempts (
        delivery_id uuid NOT NULL REFERENCES notifications.webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer,
        status_code integer,
        -- the first bytes of the receiver's answer (capped)
        response_excerpt text,
        error text,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notifications.webhook_attempts`);
    await db.query(`DROP TABLE notifications.webhook_deliveries`);
    await db.query(`DROP TABLE notifications.webhook_messages`);
    await db.query(`DROP TABLE notifications.webhook_endpoints`);
  }
}
