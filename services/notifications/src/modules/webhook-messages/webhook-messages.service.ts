import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeliveryJobs } from '../webhook-deliveries/delivery-jobs.js';
import { RetrySchedule } from '../webhook-deliveries/retry-schedule.js';
import { webhookMessageId } from './webhook-message-id.js';
import { WebhookMessagesRepository } from './webhook-messages.repository.js';

export interface EnqueueOptions {
  /** The event announced (one message per event, however often it is redelivered). */
  eventId?: string;
  /** When it happened (the body's `timestamp`); default now. */
  occurredAt?: Date;
  /** Only these endpoints (the test message of one endpoint); default every subscribed, enabled one. */
  endpointIds?: readonly string[];
}

/**
 * Every webhook message is made here: the event fan-in and `POST /v1/webhooks/{id}/test`.
 * The body is fixed when the message is written, so every attempt to every endpoint sends
 * the same bytes under the same `webhook-id`.
 */
@Injectable()
export class WebhookMessages {
  private readonly lookups = new Map<string, Promise<boolean>>();

  constructor(
    private readonly messages: WebhookMessagesRepository,
    private readonly schedule: RetrySchedule,
    private readonly jobs: DeliveryJobs,
  ) {}

  /**
   * Whether any enabled endpoint wants events of `type` now. Concurrent questions about one
   * type share one lookup. An endpoint created meanwhile gets the events that reach the
   * fan-in after it is committed, as with the write itself.
   */
  wanted(type: string): Promise<boolean> {
    let answer = this.lookups.get(type);
    if (!answer) {
      answer = this.messages.anySubscribed(type).finally(() => this.lookups.delete(type));
      this.lookups.set(type, answer);
    }
    return answer;
  }

  /**
   * Writes the message and its deliveries within `tx`; null when the event has a message
   * already. `publish`, run once `tx` committed, adds the deliveries' first jobs; if it never
   * runs (the process died) or fails, the retry reconciler adds them from Postgres.
   */
  async enqueue(
    tx: EntityManager,
    type: string,
    data: object,
    options: EnqueueOptions = {},
  ): Promise<{ messageId: string; deliveries: number; publish: () => Promise<void> } | null> {
    const id = webhookMessageId();
    const occurredAt = options.occurredAt ?? new Date();
    const body = JSON.stringify({ type, timestamp: occurredAt.toISOString(), data });
    const written = await this.messages.insert(tx, {
      id,
      eventId: options.eventId ?? null,
      type,
      body,
      endpointIds: options.endpointIds ?? null,
      firstAttemptInSeconds: this.schedule.firstDelaySeconds,
      // customer.erased itself carries no personal data (hashes only) and is delivered.
      erasureCheckSince: options.eventId && type !== 'customer.erased' ? occurredAt : null,
    });
    if (!written) return null;
    return { messageId: id, deliveries: written.deliveries.length, publish: () => this.jobs.schedule(written.deliveries) };
  }
}
