import { PreparedStatements, SqlParams } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { DueDeliveryRecord } from '../webhook-deliveries/webhook-delivery.record.js';

/** An endpoint (alias `endpoint`) that wants events of the type `type`: the one subscription rule of the fan-in. */
const SUBSCRIBED = (type: string, endpoint = 'e') => `${endpoint}.events && ARRAY[${type}::text, '*']`;

/**
 * True unless the message `body` (jsonb) names, as any string value (the rule erasure scrubs
 * messages by: CustomerErasureRepository), the id of a customer erased after `since`; always
 * true when `since` is null.
 */
const NOT_ABOUT_CUSTOMER_ERASED_SINCE = (body: string, since: string) =>
  `NOT EXISTS (SELECT 1 FROM notifications.customers c
                WHERE ${since} IS NOT NULL AND c.erased_at > ${since}
                  AND c.external_id IN (SELECT v #>> '{}' FROM jsonb_path_query(${body}, 'strict $.** ? (@.type() == "string")') v))`;

/**
 * True when an enabled endpoint wants events of the type `type` (an SQL expression, which may
 * name an outer `e`): the outbox writes the events only the fan-in consumes only then.
 */
export const anyEndpointSubscribedSql = (type: string): string =>
  `EXISTS (SELECT 1 FROM notifications.webhook_endpoints subscriber WHERE subscriber.enabled AND ${SUBSCRIBED(type, 'subscriber')})`;

export interface NewWebhookMessage {
  id: string;
  /** The event it announces; null for messages of no event (`webhook.test`). */
  eventId: string | null;
  type: string;
  body: string;
  /** Deliver to these endpoints (whatever they subscribe to), those of them enabled. */
  endpointIds: readonly string[];
  /** Seconds before the first attempt (the first number of the retry schedule). */
  firstAttemptInSeconds: number;
  /**
   * When the event happened, for an event that may name customers: if any string in its body
   * is the id of a customer erased after that (the event waited in a queue meanwhile), it gets
   * no message, since it would carry the data the erasure removed. Null: no such check.
   */
  erasureCheckSince: Date | null;
}

/**
 * Webhook messages and their deliveries (`notifications.webhook_messages`,
 * `webhook_deliveries`): a message and one delivery per endpoint that wants it are written by
 * one statement. A delivery row is its own outbox entry: pending with its first attempt's due
 * time, it gets its job after the commit, or from the retry reconciler when that job is lost.
 */
@Injectable()
export class WebhookMessagesRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * A message for the given endpoints (the test message of one endpoint). Null when nothing
   * was written: the event has a message already, none of them is enabled (a message nobody
   * receives is not kept: it would only hold data), or it is about a customer erased since it
   * happened. Else the message's deliveries, each with its first attempt's due time.
   */
  async insert(tx: EntityManager, m: NewWebhookMessage): Promise<{ deliveries: DueDeliveryRecord[] } | null> {
    const q = new SqlParams();
    const type = q.add(m.type);
    const endpointIds = q.add(m.endpointIds);
    const body = q.add(m.body);
    const erasureCheckSince = q.add(m.erasureCheckSince);
    const rows: Array<{ id: string | null; next_attempt_at: Date | null }> = await tx.query(
      `WITH target AS (
         SELECT e.id FROM notifications.webhook_endpoints e
          WHERE e.enabled AND e.id = ANY(${endpointIds}::uuid[])
       ), message AS (
         INSERT INTO notifications.webhook_messages (id, event_id, type, body)
         SELECT ${q.add(m.id)}, ${q.add(m.eventId)}::uuid, ${type}, ${body}::jsonb WHERE EXISTS (SELECT 1 FROM target)
            AND ${NOT_ABOUT_CUSTOMER_ERASED_SINCE(`${body}::jsonb`, `${erasureCheckSince}::timestamptz`)}
         ON CONFLICT (event_id) DO NOTHING RETURNING id
       ), delivery AS (
         INSERT INTO notifications.webhook_deliveries (id, message_id, endpoint_id, next_attempt_at)
         SELECT gen_random_uuid(), message.id, target.id, now() + make_interval(secs => ${q.add(m.firstAttemptInSeconds)})
           FROM message CROSS JOIN target
         RETURNING id, next_attempt_at
       )
       -- One row per delivery, or a single row of nulls for a message written with none.
       SELECT delivery.id, delivery.next_attempt_at FROM message LEFT JOIN delivery ON true`,
      q.values,
    );
    if (rows.length === 0) return null;
    return {
      deliveries: rows.flatMap((r) => (r.id === null ? [] : [{ id: r.id, attempts: 0, nextAttemptAt: r.next_attempt_at!, underWay: false }])),
    };
  }

  /**
   * The fan-in's write for a batch of events, by one statement: each event's message and its
   * deliveries, one per enabled endpoint subscribed to its type or to `*`. Per event, in the
   * order given, its message's deliveries, or null when nothing was written for it: it has a
   * message already (a redelivered event), no endpoint wants it, or it is about a customer
   * erased since it happened.
   */
  async insertMany(tx: EntityManager, ms: ReadonlyArray<Omit<NewWebhookMessage, 'endpointIds'>>): Promise<Array<{ deliveries: DueDeliveryRecord[] } | null>> {
    if (ms.length === 0) return [];
    const rows: Array<{ n: string; id: string | null; next_attempt_at: Date | null }> = await tx.query(
      `WITH m AS (
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS m(id, event_id, type, body, erasure_check_since, n)
       ), message AS (
         INSERT INTO notifications.webhook_messages (id, event_id, type, body)
         SELECT m.id, m.event_id, m.type, m.body::jsonb FROM m
          WHERE EXISTS (SELECT 1 FROM notifications.webhook_endpoints e WHERE e.enabled AND ${SUBSCRIBED('m.type')})
            AND ${NOT_ABOUT_CUSTOMER_ERASED_SINCE('m.body::jsonb', 'm.erasure_check_since')}
          ORDER BY m.n
         ON CONFLICT (event_id) DO NOTHING RETURNING id, type
       ), delivery AS (
         INSERT INTO notifications.webhook_deliveries (id, message_id, endpoint_id, next_attempt_at)
         SELECT gen_random_uuid(), message.id, e.id, now() + make_interval(secs => $6)
           FROM message JOIN notifications.webhook_endpoints e ON e.enabled AND ${SUBSCRIBED('message.type')}
         RETURNING id, message_id, next_attempt_at
       )
       -- Per message written, one row per delivery (a single row of nulls for none).
       SELECT m.n, delivery.id, delivery.next_attempt_at
         FROM message JOIN m ON m.id = message.id LEFT JOIN delivery ON delivery.message_id = message.id`,
      [ms.map((m) => m.id), ms.map((m) => m.eventId), ms.map((m) => m.type), ms.map((m) => m.body), ms.map((m) => m.erasureCheckSince), ms[0]!.firstAttemptInSeconds],
    );
    const written: Array<{ deliveries: DueDeliveryRecord[] } | null> = ms.map(() => null);
    for (const r of rows) {
      const at = Number(r.n) - 1;
      const entry = (written[at] ??= { deliveries: [] });
      if (r.id !== null) entry.deliveries.push({ id: r.id, attempts: 0, nextAttemptAt: r.next_attempt_at!, underWay: false });
    }
    return written;
  }

  /**
   * Deletes up to `limit` messages created before `cutoff`, oldest first, with their deliveries
   * and attempts (in the same statement: the log has no foreign keys); a message with a
   * delivery still pending is kept. Returns how many went.
   */
  async deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(
      `WITH old AS (
         SELECT m.id FROM notifications.webhook_messages m
          WHERE m.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM notifications.webhook_deliveries d WHERE d.message_id = m.id AND d.status = 'pending')
          ORDER BY m.created_at LIMIT $2
          FOR UPDATE SKIP LOCKED
       ), deliveries AS (
         DELETE FROM notifications.webhook_deliveries d USING old WHERE d.message_id = old.id RETURNING d.id
       ), attempts AS (
         DELETE FROM notifications.webhook_attempts a USING deliveries WHERE a.delivery_id = deliveries.id
       ), gone AS (
         DELETE FROM notifications.webhook_messages m USING old WHERE m.id = old.id RETURNING 1
       )
       SELECT count(*)::int AS n FROM gone`,
      [cutoff, limit],
    );
    return rows[0]!.n;
  }

  /** Whether some enabled endpoint subscribes to `type` (or to `*`): one indexed lookup, outside any transaction. */
  async anySubscribed(type: string): Promise<boolean> {
    const rows = await this.statements.query<{ any: boolean }>(
      `SELECT ${anyEndpointSubscribedSql('$1')} AS any`,
      [type],
    );
    return rows[0]!.any;
  }
}
