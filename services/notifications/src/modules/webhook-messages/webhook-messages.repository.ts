import { Outbox, SqlParams } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface NewWebhookMessage {
  id: string;
  /** The event it announces; null for messages of no event (`webhook.test`). */
  eventId: string | null;
  type: string;
  body: string;
  /** Deliver only to these endpoints (whatever they subscribe to); null: every enabled endpoint subscribed to `type` or `*`. */
  endpointIds: readonly string[] | null;
  /** Seconds before the first attempt (the first number of the retry schedule). */
  firstAttemptInSeconds: number;
}

/**
 * Webhook messages and their deliveries (`notifications.webhook_messages`,
 * `webhook_deliveries`): a message, one delivery per endpoint that wants it and one
 * `webhook.deliver` outbox row per delivery are written by one statement.
 */
@Injectable()
export class WebhookMessagesRepository {
  constructor(private readonly outbox: Outbox) {}

  /**
   * Null when nothing was written: the event has a message already (a redelivered event), or no
   * enabled endpoint wants it (a message nobody receives is not kept: it would only hold data).
   * Else the message's deliveries.
   */
  async insert(tx: EntityManager, m: NewWebhookMessage): Promise<{ deliveries: number } | null> {
    const q = new SqlParams();
    const type = q.add(m.type);
    const endpointIds = q.add(m.endpointIds);
    const rows: Array<{ created: number; deliveries: number }> = await tx.query(
      `WITH target AS (
         SELECT e.id FROM notifications.webhook_endpoints e
          WHERE e.enabled AND CASE WHEN ${endpointIds}::uuid[] IS NULL THEN e.events && ARRAY[${type}::text, '*'] ELSE e.id = ANY(${endpointIds}::uuid[]) END
       ), message AS (
         INSERT INTO notifications.webhook_messages (id, event_id, type, body)
         SELECT ${q.add(m.id)}, ${q.add(m.eventId)}::uuid, ${type}, ${q.add(m.body)}::jsonb WHERE EXISTS (SELECT 1 FROM target)
         ON CONFLICT (event_id) DO NOTHING RETURNING id
       ), delivery AS (
         INSERT INTO notifications.webhook_deliveries (id, message_id, endpoint_id, next_attempt_at)
         SELECT gen_random_uuid(), message.id, target.id, now() + make_interval(secs => ${q.add(m.firstAttemptInSeconds)})
           FROM message CROSS JOIN target
         RETURNING id
       ), job AS (
         ${this.outbox.insertSql(q, [{ event: 'webhook.deliver', payload: { deliveryId: '' } }], {
           from: 'delivery',
           payload: () => `jsonb_build_object('deliveryId', delivery.id)`,
         })}
       )
       SELECT (SELECT count(*) FROM message)::int AS created, (SELECT count(*) FROM delivery)::int AS deliveries`,
      q.values,
    );
    const row = rows[0]!;
    return row.created === 0 ? null : { deliveries: row.deliveries };
  }
}
