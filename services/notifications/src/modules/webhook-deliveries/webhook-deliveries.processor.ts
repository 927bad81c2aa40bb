import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { DeliveryJobs } from './delivery-jobs.js';
import { EndpointThrottle } from './endpoint-throttle.js';
import { RetrySchedule } from './retry-schedule.js';
import { WebhookDeliveriesRepository, type AttemptOutcome } from './webhook-deliveries.repository.js';
import type { ClaimedDeliveryRecord } from './webhook-delivery.record.js';
import { WebhookSender, type WebhookResponse } from './webhook-sender.js';
import type { WebhookTargetRecord } from './webhook-target.record.js';
import { WebhookTargetsRepository } from './webhook-targets.repository.js';

export const ENDPOINT_DISABLED = 'endpoint disabled';
export const GONE = 'receiver answered 410 Gone';

/**
 * Attempts webhook deliveries. Each attempt is recorded (committed) before the request goes
 * out and its outcome after it, so a worker that dies mid-request leaves a trace: the job,
 * delivered again, closes that attempt as interrupted and makes a new one (at least once;
 * receivers drop duplicates by `webhook-id`). Retries are delayed jobs whose due time is in
 * Postgres (`next_attempt_at`), rebuilt by the reconciler when Redis loses them.
 */
@Injectable()
export class WebhookDeliveriesProcessor extends QueueWorker<typeof QueueName.WebhookDeliveries> {
  protected readonly queue = QueueName.WebhookDeliveries;
  protected override readonly transactional = false;
  private readonly leaseMs: number;

  constructor(
    runtime: WorkerRuntime,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly targets: WebhookTargetsRepository,
    private readonly throttle: EndpointThrottle,
    private readonly sender: WebhookSender,
    private readonly jobs: DeliveryJobs,
    private readonly schedule: RetrySchedule,
    private readonly config: NotificationsConfig,
  ) {
    super(runtime);
    // Long enough for any attempt to end (timeout and the writes around it) before another may start.
    this.leaseMs = config.WEBHOOK_TIMEOUT_MS + 30_000;
  }

  protected async handle(job: QueueJob<typeof QueueName.WebhookDeliveries>): Promise<void> {
    switch (job.name) {
      case 'webhook.deliver':
        return this.deliver(job.envelope.data.deliveryId, job.envelope.eventId);
      default:
        assertNever(job.name);
    }
  }

  private async deliver(deliveryId: string, jobId: string): Promise<void> {
    const state = await this.deliveries.state(deliveryId);
    if (!state || state.status !== 'pending') return; // done, or replayed and done since
    const target = await this.targets.find(state.endpointId);
    if (!target?.enabled) return this.deliveries.markFailed(deliveryId, ENDPOINT_DISABLED);
    const slot = await this.throttle.acquire(target.id, `${jobId}:${deliveryId}`, target.rateLimit);
    if (!slot.taken) return this.jobs.later(deliveryId, slot.retryInMs);
    try {
      // Not due (a duplicate job, or an attempt under way elsewhere): nothing to do.
      const claimed = await this.deliveries.claim(deliveryId, jobId, this.leaseMs, 1_000);
      if (!claimed) return;
      const response = await this.sender.send({ url: target.url, messageId: claimed.messageId, body: claimed.body, secrets: target.secrets });
      await this.record(target, claimed, jobId, response);
    } finally {
      await slot.release();
    }
  }

  private async record(target: WebhookTargetRecord, claimed: ClaimedDeliveryRecord, jobId: string, response: WebhookResponse): Promise<void> {
    const code = response.statusCode;
    const succeeded = code !== null && code >= 200 && code < 300;
    const gone = code === 410;
    const delay = succeeded || gone ? null : this.schedule.delayBefore(claimed.attempt + 1);
    const outcome: AttemptOutcome = {
      deliveryId: claimed.id,
      endpointId: target.id,
      jobId,
      attempt: claimed.attempt,
      durationMs: response.durationMs,
      statusCode: code,
      responseExcerpt: response.responseExcerpt,
      error: response.error ?? (succeeded ? null : gone ? GONE : `receiver answered ${code}`),
      status: succeeded ? 'succeeded' : delay === null ? 'failed' : 'pending',
      nextAttemptAt: delay === null ? null : new Date(Date.now() + delay),
    };
    const { recorded, failingSince } = await this.deliveries.recordOutcome(outcome);
    if (!recorded) return; // another job took the attempt over meanwhile
    this.runtime.logger.debug({ deliveryId: claimed.id, attempt: claimed.attempt, statusCode: code, status: outcome.status }, 'webhook attempt');
    if (gone) {
      await this.disable(target, GONE);
    } else if (!succeeded && failingSince) {
      const cutoff = new Date(Date.now() - this.config.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000);
      if (failingSince < cutoff) {
        await this.disable(target, `failing since ${failingSince.toISOString()} without a success for over ${this.config.WEBHOOK_DISABLE_AFTER_HOURS} h`, cutoff);
      }
    }
    if (outcome.status === 'pending') {
      try {
        await this.jobs.schedule([{ id: claimed.id, attempts: claimed.attempt, nextAttemptAt: outcome.nextAttemptAt!, underWay: false }]);
      } catch (error) {
        this.runtime.logger.warn({ err: error, deliveryId: claimed.id }, 'could not schedule the webhook retry now; the reconciler will');
      }
    }
  }

  /** Disables the endpoint (once) and records it: `endpoint.disabled` in the log and the endpoint's reason. */
  private async disable(target: WebhookTargetRecord, reason: string, failingBefore?: Date): Promise<void> {
    const disabled = await this.targets.disable(target.id, reason, failingBefore);
    if (disabled) this.runtime.logger.warn({ event: 'endpoint.disabled', endpointId: target.id, reason }, 'webhook endpoint disabled');
  }
}
