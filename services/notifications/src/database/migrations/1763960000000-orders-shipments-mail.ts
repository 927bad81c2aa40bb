import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OrdersShipmentsMail1763960000000 implements MigrationInterface {
  name = 'OrdersShipmentsMail1763960000000';

  async up(db: QueryRunner): Promise<void> {
    // Who to mail: a projection of segmentation's customers, plus whether mail to them bounces.
    await db.query(`
      CREATE TABLE notifications.customers (
        external_id text PRIMARY KEY,
        email text,
        name text,
        locale text,
        version integer NOT NULL,
        undeliverable_at timestamptz,
        undeliverable_reason text,
        updated_at timestamptz NOT NULL
      )`);

    await db.query(`
      CREATE TABLE notifications.orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        external_id text NOT NULL UNIQUE,
        customer_external_id text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('online', 'in_store')),
        total numeric(18, 4) NOT NULL,
        currency char(3) NOT NULL,
        placed_at timestamptz NOT NULL,
        items jsonb NOT NULL DEFAULT '[]',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX orders_customer_idx ON notifications.orders (customer_external_id, placed_at)`);

    await db.query(`
      CREATE TABLE notifications.shipments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES notifications.orders (id),
        carrier text NOT NULL,
        tracking_number text NOT NULL,
        tracking_url text,
        items jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL DEFAULT 'created',
        -- when the current status happened (carrier time): older events never move it back
        status_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (carrier, tracking_number)
      )`);
    await db.query(`CREATE INDEX shipments_order_idx ON notifications.shipments (order_id, created_at)`);

    await db.query(`
      CREATE TABLE notifications.shipment_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        shipment_id uuid NOT NULL REFERENCES notifications.shipments (id),
        event_id text NOT NULL,
        status text NOT NULL,
        occurred_at timestamptz NOT NULL,
        description text,
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (shipment_id, event_id)
      )`);

    // The outbound message log: every e-mail the product sends, one row per message.
    await db.query(`
      CREATE TABLE notifications.outbound_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL DEFAULT 'email',
        template text NOT NULL,
        locale text NOT NULL,
        to_address text,
        to_name text,
        customer_external_id text,
        subject text NOT NULL,
        text_body text NOT NULL,
        html_body text NOT NULL,
        reply_to text,
        message_id text NOT NULL UNIQUE,
        in_reply_to text,
        "references" text[] NOT NULL DEFAULT '{}',
        ticket_id uuid,
        shipment_id uuid,
        -- one message per business fact: a status of a shipment, a ticket's acknowledgement, a comment
        dedupe_key text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'suppressed')),
        error text,
        attempts integer NOT NULL DEFAULT 0,
        -- set when an SMTP attempt starts and cleared when its outcome is known
        attempt_started_at timestamptz,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX outbound_customer_idx ON notifications.outbound_messages (customer_external_id, created_at, id)`);
    await db.query(`CREATE INDEX outbound_created_idx ON notifications.outbound_messages (created_at, id)`);
    await db.query(`CREATE INDEX outbound_ticket_idx ON notifications.outbound_messages (ticket_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const t of ['outbound_messages', 'shipment_events', 'shipments', 'orders', 'customers']) await db.query(`DROP TABLE notifications.${t}`);
  }
}
