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
   * Writes the message and its deliveries within `tx`; null when nothing was written (the
   * event has a message already, nobody wants it, or it names a customer erased since).
   * `publish`, run once `tx` committed, adds the deliveries' first jobs; if it never runs (the
   * process died) or fails, the retry reconciler adds them from Postgres.
   */
  async enqueue(
    tx: EntityManager,
    type: string,
    data: object,
    options: EnqueueOptions = {},
  ): Promise<{ messageId: string; deliveries: number; publish: () => Promise<void> } | null> {
    const occurredAt = options.occurredAt ?? new Date();
    if (!options.endpointIds) {
      const { written, publish } = await this.enqueueMany(tx, [{ type, data, eventId: options.eventId ?? null, occurredAt }]);
      return written[0] ? { ...written[0], publish } : null;
    }
    const id = webhookMessageId();
    const written = await this.messages.insert(tx, {
      id,
      eventId: options.eventId ?? null,
      type,
      body: bodyOf(type, occurredAt, data),
      endpointIds: options.endpointIds,
      firstAttemptInSeconds: this.schedule.firstDelaySeconds,
      erasureCheckSince: erasureCheckSince(type, options.eventId ?? null, occurredAt),
    });
    if (!written) return null;
    return { messageId: id, deliveries: written.deliveries.length, publish: () => this.jobs.schedule(written.deliveries) };
  }

  /**
   * `enqueue` for a batch of events (the fan-in's), each to every endpoint that wants it: one
   * statement for all their messages and deliveries, and one `publish` that adds every first
   * attempt's job once `tx` committed. Per event, in the order given, what was written for it
   * (null: nothing).
   */
  async enqueueMany(
    tx: EntityManager,
    events: ReadonlyArray<{ type: string; data: object; eventId: string | null; occurredAt: Date }>,
  ): Promise<{ written: Array<{ messageId: string; deliveries: number } | null>; publish: () => Promise<void> }> {
    const ms = events.map(({ type, data, eventId, occurredAt }) => ({
      id: webhookMessageId(),
      eventId,
      type,
      body: bodyOf(type, occurredAt, data),
      firstAttemptInSeconds: this.schedule.firstDelaySeconds,
      erasureCheckSince: erasureCheckSince(type, eventId, occurredAt),
    }));
    const written = await this.messages.insertMany(tx, ms);
    const deliveries = written.flatMap((w) => w?.deliveries ?? []);
    return {
      written: written.map((w, i) => (w ? { messageId: ms[i]!.id, deliveries: w.deliveries.length } : null)),
      publish: () => this.jobs.schedule(deliveries),
    };
  }
}

/** A message's body, fixed when it is written: every attempt to every endpoint sends these bytes. */
function bodyOf(type: string, occurredAt: Date, data: object): string {
  return JSON.stringify({ type, timestamp: occurredAt.toISOString(), data });
}

/** Since when an event's customers must not have been erased; null: no check (no event, or customer.erased itself, which carries hashes only). */
function erasureCheckSince(type: string, eventId: string | null, occurredAt: Date): Date | null {
  return eventId && type !== 'customer.erased' ? occurredAt : null;
}
