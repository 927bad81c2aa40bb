import { emailHashSql, type CustomerErasedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What replaces personal text: the same everywhere, so a reader knows why a field reads so. */
export const ERASED = '[erased]';
/** Why a message still waiting to be sent never will be. */
export const NOT_SENT_ERASED = 'not sent: the customer was erased';

/**
 * Removes an erased customer's personal data from what notifications keeps about them, in the
 * erasure's transaction. Rows stay for the shop's books (the message log's statuses and times,
 * orders, shipments and their events); addresses, names and what was written to the customer go.
 */
@Injectable()
export class CustomerErasureRepository {
  /**
   * The customer's messages (by the shop's id, or, for messages to someone without one, by
   * the address's hash) lose recipient, subject and bodies; a relay's reply may quote the
   * address, so a recorded error goes too. A message still waiting is suppressed: it has no
   * address left to go to. One whose SMTP conversation is under way finishes it, and records
   * its outcome without the relay's reply (see OutboundMessagesRepository.recordOutcomes).
   * Message-IDs, threading and dedupe keys are the product's own ids, and stay.
   */
  async scrubMessages(tx: EntityManager, e: CustomerErasedPayload): Promise<number> {
    const rows: unknown[] = await tx.query(
      `UPDATE notifications.outbound_messages SET
         to_address = NULL, to_name = NULL, subject = $3, text_body = '', html_body = '',
         status = CASE WHEN status = 'queued' THEN 'suppressed' ELSE status END,
         error = CASE WHEN status = 'queued' THEN $4 WHEN error IS NULL THEN NULL ELSE $3 END,
         updated_at = CASE WHEN status = 'queued' THEN now() ELSE updated_at END
       WHERE customer_external_id = $1
          OR (customer_external_id IS NULL AND to_address IS NOT NULL AND notifications.email_hash(to_address) = ANY($2::text[]))
       RETURNING 1`,
      [e.externalId, e.emailHashes, ERASED, NOT_SENT_ERASED],
    );
    return rows.length;
  }

  /**
   * Orders and shipments hold products, amounts, carriers and tracking numbers, nothing about
   * the person but the shop's id. A tracking event's description is the carrier's free text,
   * which names the person often enough ("signed for by L. NGUYEN") to go with the rest.
   */
  async scrubShipmentEvents(tx: EntityManager, e: CustomerErasedPayload): Promise<void> {
    await tx.query(
      `UPDATE notifications.shipment_events ev SET description = NULL
         FROM notifications.shipments s JOIN notifications.orders o ON o.id = s.order_id
        WHERE ev.shipment_id = s.id AND o.customer_external_id = $1 AND ev.description IS NOT NULL`,
      [e.externalId],
    );
  }

  /**
   * Webhook messages about the customer (any value in the body that is the shop's id, or an
   * address whose hash is the customer's) keep their type and time and lose their data; one
   * still waiting to be delivered is not delivered (it would carry nothing, or the data again).
   * The log of attempts stays. `customer.erased` itself, which carries hashes only, is delivered.
   */
  async scrubWebhookMessages(tx: EntityManager, e: CustomerErasedPayload): Promise<number> {
    const rows: unknown[] = await tx.query(
      `WITH scrubbed AS (
         UPDATE notifications.webhook_messages m
            SET body = jsonb_build_object('type', m.type, 'timestamp', m.body -> 'timestamp', 'data', jsonb_build_object('erased', true))
          WHERE m.type <> 'customer.erased'
            AND (jsonb_path_exists(m.body, '$.** ? (@ == $id)', jsonb_build_object('id', $1::text))
                 OR EXISTS (SELECT 1 FROM jsonb_path_query(m.body, 'strict $.** ? (@.type() == "string" && @ like_regex "@")') v
                             WHERE ${emailHashSql("v #>> '{}'")} = ANY($2::text[])))
          RETURNING m.id
       )
       UPDATE notifications.webhook_deliveries d SET status = 'failed', next_attempt_at = NULL, last_error = $3, updated_at = now()
         FROM scrubbed WHERE d.message_id = scrubbed.id AND d.status = 'pending'
       RETURNING 1`,
      [e.externalId, e.emailHashes, NOT_SENT_ERASED],
    );
    return rows.length;
  }

  /**
   * Events about the customer not yet confirmed delivered (or dead-lettered) are kept in the
   * outbox with their payloads, and one re-published after the erasure would carry the data
   * out again: their payloads are scrubbed like the rows, each kept valid against its contract.
   */
  async scrubOutbox(tx: EntityManager, e: CustomerErasedPayload): Promise<void> {
    await tx.query(
      `UPDATE notifications.outbox SET payload = CASE
         WHEN event = 'shipment.incident' THEN payload || '{"customerEmail": null, "customerName": null, "description": null}'::jsonb
         WHEN event = 'shipment.status_changed' THEN payload || '{"description": null}'::jsonb
         ELSE payload || jsonb_build_object('to', '', 'error', CASE WHEN payload ->> 'error' IS NULL THEN NULL ELSE $3::text END)
       END
       WHERE (event IN ('shipment.incident', 'shipment.status_changed') AND payload ->> 'customerExternalId' = $1)
          OR (event IN ('notification.sent', 'notification.failed') AND (payload ->> 'customerExternalId' = $1
               OR (payload ->> 'customerExternalId' IS NULL AND ${emailHashSql("payload ->> 'to'")} = ANY($2::text[]))))`,
      [e.externalId, e.emailHashes, ERASED],
    );
  }
}
