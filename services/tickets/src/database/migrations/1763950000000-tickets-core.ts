import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TicketsCore1763950000000 implements MigrationInterface {
  name = 'TicketsCore1763950000000';

  async up(db: QueryRunner): Promise<void> {
    // unaccent lets "don hang" find "Đơn hàng"; generated columns need an IMMUTABLE wrapper.
    await db.query(`CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA tickets`);
    await db.query(`DO $$
      DECLARE ext_schema text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent');
      BEGIN
        EXECUTE format(
          'CREATE FUNCTION tickets.search_text(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
             AS $f$ SELECT %1$I.unaccent(%2$L::regdictionary, $1) $f$', ext_schema, ext_schema || '.unaccent');
      END $$`);

    await db.query(`CREATE SEQUENCE tickets.ticket_number_seq START 1000`);

    await db.query(`
      CREATE TABLE tickets.groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL UNIQUE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // An address routes to one group only.
    await db.query(`
      CREATE TABLE tickets.group_addresses (
        address text PRIMARY KEY,
        group_id uuid NOT NULL REFERENCES tickets.groups (id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX group_addresses_group_idx ON tickets.group_addresses (group_id)`);

    await db.query(`
      CREATE TABLE tickets.agents (
        id text PRIMARY KEY,
        email text NOT NULL,
        name text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE tickets.sla_policies (
        segment text NOT NULL CHECK (segment IN ('vip', 'regular', 'online', 'walk_in')),
        priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        first_response_seconds integer NOT NULL CHECK (first_response_seconds > 0),
        next_response_seconds integer NOT NULL CHECK (next_response_seconds > 0),
        resolution_seconds integer NOT NULL CHECK (resolution_seconds > 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (segment, priority)
      )`);
    // Defaults: VIPs get minutes, walk-in customers a day for low priority (hours below).
    const defaults: Array<[string, string, number, number, number]> = [
      ['vip', 'urgent', 0.25, 0.5, 4], ['vip', 'high', 0.5, 1, 8], ['vip', 'normal', 1, 2, 24], ['vip', 'low', 4, 8, 48],
      ['regular', 'urgent', 0.5, 1, 8], ['regular', 'high', 1, 2, 16], ['regular', 'normal', 4, 8, 48], ['regular', 'low', 8, 16, 72],
      ['online', 'urgent', 1, 1, 12], ['online', 'high', 2, 4, 24], ['online', 'normal', 8, 8, 48], ['online', 'low', 16, 24, 96],
      ['walk_in', 'urgent', 1, 2, 24], ['walk_in', 'high', 4, 8, 48], ['walk_in', 'normal', 12, 12, 72], ['walk_in', 'low', 24, 24, 120],
    ];
    for (const [segment, priority, first, next, resolution] of defaults) {
      await db.query(
        `INSERT INTO tickets.sla_policies (segment, priority, first_response_seconds, next_response_seconds, resolution_seconds)
         VALUES ($1, $2, $3, $4, $5)`,
        [segment, priority, first * 3600, next * 3600, resolution * 3600],
      );
    }

    await db.query(`ALTER TABLE tickets.customers ADD COLUMN segments text[] NOT NULL DEFAULT '{}'`);
    await db.query(`ALTER TABLE tickets.customers ADD COLUMN segment_version integer NOT NULL DEFAULT 0`);

    await db.query(`
      CREATE TABLE tickets.tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number bigint NOT NULL UNIQUE DEFAULT nextval('tickets.ticket_number_seq'),
        subject text NOT NULL,
        description text NOT NULL,
        status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
        priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        priority_rank smallint GENERATED ALWAYS AS (
          CASE priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 ELSE 3 END) STORED,
        -- false while the priority is derived from segment and type (and re-derived when they change)
        priority_explicit boolean NOT NULL,
        type text NOT NULL CHECK (type IN ('question', 'incident', 'problem', 'task', 'shipment_exception')),
        channel text NOT NULL CHECK (channel IN ('email', 'web', 'api', 'phone', 'chat', 'sms', 'social')),
        segment text,
        customer_external_id text,
        customer_email text,
        customer_name text,
        group_id uuid REFERENCES tickets.groups (id),
        assignee_id text REFERENCES tickets.agents (id),
        tags text[] NOT NULL DEFAULT '{}',
        order_external_id text,
        shipment_id uuid,
        follow_up_of uuid REFERENCES tickets.tickets (id),
        source_inbound_email_id uuid UNIQUE,
        first_response_due_at timestamptz,
        first_responded_at timestamptz,
        next_response_due_at timestamptz,
        resolution_due_at timestamptz,
        first_response_breached_at timestamptz,
        next_response_breached_at timestamptz,
        resolution_breached_at timestamptz,
        solved_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple', tickets.search_text(subject)), 'A') ||
          setweight(to_tsvector('simple', tickets.search_text(description)), 'B')) STORED,
        -- The earliest SLA due time still running: what the timer scheduler looks ahead on.
        next_due_at timestamptz GENERATED ALWAYS AS (
          CASE WHEN status IN ('solved', 'closed') THEN NULL ELSE LEAST(
            CASE WHEN first_responded_at IS NULL AND first_response_breached_at IS NULL THEN first_response_due_at END,
            CASE WHEN next_response_breached_at IS NULL THEN next_response_due_at END,
            CASE WHEN resolution_breached_at IS NULL THEN resolution_due_at END) END) STORED
      )`);
    await db.query(`CREATE INDEX tickets_created_idx ON tickets.tickets (created_at, id)`);
    await db.query(`CREATE INDEX tickets_updated_idx ON tickets.tickets (updated_at, id)`);
    await db.query(`CREATE INDEX tickets_priority_idx ON tickets.tickets (priority_rank, created_at, id)`);
    await db.query(`CREATE INDEX tickets_status_idx ON tickets.tickets (status, created_at)`);
    await db.query(`CREATE INDEX tickets_customer_idx ON tickets.tickets (customer_external_id, created_at)`);
    await db.query(`CREATE INDEX tickets_customer_email_idx ON tickets.tickets (lower(customer_email))`);
    await db.query(`CREATE INDEX tickets_group_idx ON tickets.tickets (group_id, created_at)`);
    await db.query(`CREATE INDEX tickets_assignee_idx ON tickets.tickets (assignee_id, created_at)`);
    await db.query(`CREATE INDEX tickets_tags_idx ON tickets.tickets USING gin (tags)`);
    await db.query(`CREATE INDEX tickets_search_idx ON tickets.tickets USING gin (search)`);
    // One open incident ticket per shipment: further exceptions update it.
    await db.query(`CREATE UNIQUE INDEX tickets_open_shipment_idx ON tickets.tickets (shipment_id) WHERE shipment_id IS NOT NULL AND status <> 'closed'`);
    // What the timer scheduler looks ahead on: running SLA clocks, and solved tickets to auto-close.
    await db.query(`CREATE INDEX tickets_next_due_idx ON tickets.tickets (next_due_at) WHERE next_due_at IS NOT NULL`);
    await db.query(`CREATE INDEX tickets_solved_idx ON tickets.tickets (solved_at) WHERE status = 'solved'`);

    await db.query(`
      CREATE TABLE tickets.comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
        body text NOT NULL,
        html text,
        public boolean NOT NULL,
        author_type text NOT NULL CHECK (author_type IN ('agent', 'customer', 'system')),
        author_id text,
        author_email text,
        author_name text,
        attachments jsonb NOT NULL DEFAULT '[]',
        source_inbound_email_id uuid UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (to_tsvector('simple', tickets.search_text(body))) STORED
      )`);
    await db.query(`CREATE INDEX comments_ticket_idx ON tickets.comments (ticket_id, created_at, id)`);
    await db.query(`CREATE INDEX comments_search_idx ON tickets.comments USING gin (search)`);

    await db.query(`
      CREATE TABLE tickets.ticket_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
        type text NOT NULL,
        field text,
        from_value jsonb,
        to_value jsonb,
        actor_type text NOT NULL,
        actor_id text,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`CREATE INDEX ticket_events_ticket_idx ON tickets.ticket_events (ticket_id, seq)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['ticket_events', 'comments', 'tickets', 'sla_policies', 'agents', 'group_addresses', 'groups']) {
      await db.query(`DROP TABLE IF EXISTS tickets.${table}`);
    }
    await db.query(`DROP SEQUENCE IF EXISTS tickets.ticket_number_seq`);
    await db.query(`DROP FUNCTION IF EXISTS tickets.search_text(text)`);
    await db.query(`ALTER TABLE tickets.customers DROP COLUMN segments, DROP COLUMN segment_version`);
  }
}
