import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_SEARCH_INDEX, SEARCH_TEXT_V1, searchTextFunction } from './search-text.js';

/**
 * Segments: per-customer order statistics, the orders they come from, versioned rule sets,
 * recomputes, and the tombstones of erased customers.
 */
export class Segments1764800000000 implements MigrationInterface {
  name = 'Segments1764800000000';

  async up(db: QueryRunner): Promise<void> {
    // Accent-insensitive search over name and e-mail (`?q=`): folded to lower-case ASCII letters
    // by this service's own function (the unaccent extension lives in one schema per database,
    // and the tickets service's migration creates it; segmentation does not lean on that), and
    // trigram indexes make substring matches ("nguyen" in an address) cheap.
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA segmentation`);
    await db.query(searchTextFunction(SEARCH_TEXT_V1));

    await db.query(`
      ALTER TABLE segmentation.customers
        -- how the customer became known: the shop's PUT, a ticket, an inbound mail, an order
        ADD COLUMN origin text NOT NULL DEFAULT 'api' CHECK (origin IN ('api', 'ticket', 'inbound_email', 'order')),
        ADD COLUMN segment_override text CHECK (segment_override IN ('vip', 'regular', 'online', 'walk_in')),
        -- where the versions of the customer's memberships start (above an erased predecessor's)
        ADD COLUMN segment_version_base integer NOT NULL DEFAULT 0,
        -- increases whenever anything a rule reads changes (orders, tags, the VIP flag, the override):
        -- a recompute applies what it evaluated only to rows whose inputs are still the ones it read
        ADD COLUMN inputs_version bigint NOT NULL DEFAULT 1,
        ADD COLUMN orders_count integer NOT NULL DEFAULT 0,
        ADD COLUMN online_orders integer NOT NULL DEFAULT 0,
        ADD COLUMN in_store_orders integer NOT NULL DEFAULT 0,
        ADD COLUMN total_spent jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN first_order_at timestamptz,
        ADD COLUMN last_order_at timestamptz,
        ADD COLUMN search text GENERATED ALWAYS AS (
          segmentation.search_text(coalesce(name, '') || ' ' || coalesce(email, ''))) STORED`);
    // A customer's segments, apart from the customer: a recompute rewrites a tenth of them at
    // once, and a narrow table with two indexes takes that far faster than the customers
    // table with its search indexes would. Written only under a lock on the customer's row.
    await db.query(`
      CREATE TABLE segmentation.memberships (
        customer_id uuid PRIMARY KEY REFERENCES segmentation.customers (id) ON DELETE CASCADE,
        -- the primary segment, one of the built-in four
        segment text NOT NULL CHECK (segment IN ('vip', 'regular', 'online', 'walk_in')),
        -- every segment the customer is a member of, the primary one and custom ones included
        segments text[] NOT NULL,
        -- increases with every change; the version of customer.segment_changed
        version integer NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX memberships_segments_idx ON segmentation.memberships USING gin (segments)`);
    // Customers of the release before segments have no orders yet: under the version-1 rules
    // below they are VIP by their flag or in the fallback segment. They get it now, announced
    // like any later change, so tickets learn it.
    await db.query(`
      WITH evaluated AS (
        INSERT INTO segmentation.memberships (customer_id, segment, segments, version)
        SELECT id, CASE WHEN vip THEN 'vip' ELSE 'online' END, ARRAY[CASE WHEN vip THEN 'vip' ELSE 'online' END], 1
          FROM segmentation.customers
        RETURNING customer_id, segment, segments)
      INSERT INTO segmentation.outbox (event, payload)
      SELECT 'customer.segment_changed', jsonb_build_object(
               'externalId', c.external_id, 'previousSegment', NULL, 'segment', e.segment, 'previousSegments', '[]'::jsonb,
               'segments', to_jsonb(e.segments), 'version', 1,
               'policy', CASE WHEN e.segment = 'vip' THEN '{"priorityBump": 1, "slaPolicy": "vip", "preferredChannel": "phone"}'::jsonb
                              ELSE '{"priorityBump": 0, "slaPolicy": "online", "preferredChannel": "email"}'::jsonb END)
        FROM evaluated e JOIN segmentation.customers c ON c.id = e.customer_id`);
    await db.query(`CREATE INDEX customers_tags_idx ON segmentation.customers USING gin (tags)`);
    await db.query(CREATE_SEARCH_INDEX);
    await db.query(`CREATE INDEX customers_list_idx ON segmentation.customers (created_at DESC, id DESC)`);

    // The orders a customer's statistics and rules are computed from: the latest version of each.
    await db.query(`
      CREATE TABLE segmentation.orders (
        external_id text PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES segmentation.customers (id) ON DELETE CASCADE,
        channel text NOT NULL CHECK (channel IN ('online', 'in_store')),
        total numeric(18, 4) NOT NULL,
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        placed_at timestamptz NOT NULL,
        version integer NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX orders_customer_idx ON segmentation.orders (customer_id, placed_at)`);

    await db.query(`
      CREATE TABLE segmentation.rule_sets (
        version integer PRIMARY KEY,
        rules jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Version 1: the defaults of the first release. Frozen here: later defaults are new versions.
    await db.query(`INSERT INTO segmentation.rule_sets (version, rules) VALUES (1, $1)`, [JSON.stringify(RULES_V1)]);

    await db.query(`
      CREATE TABLE segmentation.recomputes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rules_version integer NOT NULL REFERENCES segmentation.rule_sets (version),
        -- a PUT of the rules, or the schedule that moves the "within N days" windows along
        reason text NOT NULL DEFAULT 'rules_changed' CHECK (reason IN ('rules_changed', 'scheduled')),
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'failed')),
        phase text CHECK (phase IN ('evaluating', 'applying')),
        customers_total integer,
        customers_evaluated integer NOT NULL DEFAULT 0,
        -- customers whose evaluated memberships differed from the stored ones, and how many of them the batches have applied
        customers_differing integer,
        customers_applied integer NOT NULL DEFAULT 0,
        -- the ranges of customers (evaluated in parallel) whose evaluation is done
        ranges_evaluated integer NOT NULL DEFAULT 0,
        customers_changed integer NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 0,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await db.query(`CREATE INDEX recomputes_created_idx ON segmentation.recomputes (created_at)`);

    // An erased customer leaves only this: the id and how far its event versions went, so a
    // re-created customer continues above them and stale events cannot bring data back.
    await db.query(`
      CREATE TABLE segmentation.erased_customers (
        external_id text PRIMARY KEY,
        version integer NOT NULL,
        segment_version integer NOT NULL,
        erased_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE segmentation.erased_customers`);
    await db.query(`DROP TABLE segmentation.recomputes`);
    await db.query(`DROP TABLE segmentation.rule_sets`);
    await db.query(`DROP TABLE segmentation.orders`);
    await db.query(`DROP TABLE segmentation.memberships`);
    await db.query(`
      ALTER TABLE segmentation.customers
        DROP COLUMN search, DROP COLUMN origin, DROP COLUMN segment_override, DROP COLUMN segment_version_base, DROP COLUMN inputs_version, DROP COLUMN orders_count,
        DROP COLUMN online_orders, DROP COLUMN in_store_orders, DROP COLUMN total_spent, DROP COLUMN first_order_at,
        DROP COLUMN last_order_at`);
    await db.query(`DROP FUNCTION segmentation.search_text(text)`);
  }
}

const RULES_V1 = {
  fallbackSegment: 'online',
  segments: [
    {
      key: 'vip',
      name: 'VIP',
      description: 'Spent at least the threshold of a currency, or ordered 10 times, within a year.',
      rule: {
        any: [
          { totalSpent: { currency: 'VND', min: '50000000', withinDays: 365 } },
          { totalSpent: { currency: 'EUR', min: '2000', withinDays: 365 } },
          { totalSpent: { currency: 'USD', min: '2000', withinDays: 365 } },
          { ordersCount: { min: 10, withinDays: 365 } },
        ],
      },
      policy: { priorityBump: 1, slaPolicy: 'vip', preferredChannel: 'phone' },
    },
    {
      key: 'regular',
      name: 'Regular',
      description: 'At least two orders within 180 days.',
      rule: { ordersCount: { min: 2, withinDays: 180 } },
      policy: { priorityBump: 0, slaPolicy: 'regular', preferredChannel: 'email' },
    },
    {
      key: 'online',
      name: 'Online',
      description: 'Orders online at least half of the time.',
      rule: { channelShare: { channel: 'online', min: 0.5 } },
      policy: { priorityBump: 0, slaPolicy: 'online', preferredChannel: 'email' },
    },
    {
      key: 'walk_in',
      name: 'Walk-in',
      description: 'Buys in store at least half of the time.',
      rule: { channelShare: { channel: 'in_store', min: 0.5 } },
      policy: { priorityBump: 0, slaPolicy: 'walk_in', preferredChannel: 'phone' },
    },
  ],
};
