import { deterministicUuid, JobQueues, type PublishableEvent } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DueDeliveryRecord } from './webhook-delivery.record.js';

/**
 * The `webhook.deliver` jobs of attempts after the first (the first comes from the outbox).
 * A job's id is derived from the delivery, the attempt and its due time, so the worker
 * scheduling a retry and the reconciler rebuilding it make one job, not two.
 */
@Injectable()
export class DeliveryJobs {
  constructor(private readonly queues: JobQueues) {}

  /** Jobs for the deliveries' next attempts at their due times; `repair` restores ones Redis lost. */
  async schedule(deliveries: readonly DueDeliveryRecord[], repair = false): Promise<void> {
    const now = Date.now();
    const events = deliveries.map((d) => {
      const due = d.nextAttemptAt.getTime();
      return this.job(deterministicUuid(`webhook-delivery:${d.id}:${d.attempts + 1}:${due}`), d.id, Math.max(0, due - now));
    });
    if (events.length === 0) return;
    if (repair) await this.queues.restore(events);
    else await this.queues.publish(events);
  }

  /** Looks at a delivery again in a moment (its endpoint was at its limits): no attempt is counted. */
  async later(deliveryId: string, delayMs: number): Promise<void> {
    await this.queues.publish([this.job(randomUUID(), deliveryId, delayMs)]);
  }

  private job(id: string, deliveryId: string, delay: number): PublishableEvent {
    return { id, event: 'webhook.deliver', delay, envelope: { eventId: id, occurredAt: new Date(), data: { deliveryId } } };
  }
}
