import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime } from '@careflow/messaging';
import { StatementBatcher } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { OutboundMailService } from '../mail/outbound-mail.service.js';
import { SecretUnreadableError, WebhookSecrets } from '../webhook-secrets/webhook-secrets.js';
import { DeliveryJobs } from './delivery-jobs.js';
import { EndpointThrottle } from './endpoint-throttle.js';
import { RetrySchedule } from './retry-schedule.js';
import { WebhookDeliveriesRepository, type AttemptOutcome } from './webhook-deliveries.repository.js';
import type { ClaimedDeliveryRecord } from './webhook-delivery.record.js';
import { WebhookSender, type WebhookResponse } from './webhook-sender.js';
import type { WebhookTargetRecord } from './webhook-target.record.js';
import { WebhookTargetsRepository } from './webhook-targets.repository.js';

export const GONE = 'receiver answered 410 Gone';
/** How early an attempt may start (the clocks of Redis, the workers and Postgres differ a little). */
const CLAIM_TOLERANCE_MS = 5_000;

/**
 * Attempts webhook deliveries. Each attempt is recorded (committed) on its delivery before the
 * request goes out and logged with its outcome after it, so a worker that dies mid-request
 * leaves a trace: the job, delivered again, logs that attempt as interrupted and makes a new one (at least once;
 * receivers drop duplicates by `webhook-id`). Retries are delayed jobs whose due time is in
 * Postgres (`next_attempt_at`), rebuilt by the reconciler when Redis loses them.
 *
 * An attempt is claimed first (the claim reads the endpoint as it is now), then waits for a
 * slot at its endpoint (EndpointThrottle); one that gets none is given back unstarted. The
 * attempts a worker runs at once (WEBHOOK_WORKER_CONCURRENCY) share their round trips to
 * Postgres: their claims and their outcomes each go out as one statement, without changing
 * what each attempt waits for.
 */
@Injectable()
export class WebhookDeliveriesProcessor extends QueueWorker<typeof QueueName.WebhookDeliveries> {
  protected readonly queue = QueueName.WebhookDeliveries;
  protected override readonly transactional = false;
  private readonly leaseMs: number;
  /** One delivery at most once per statement (a job delivered twice): the later claim sees the earlier one. */
  private readonly claims = new StatementBatcher<{ id: string; jobId: string }, ClaimedDeliveryRecord | null>(
    (claims) => this.deliveries.claim(claims, this.leaseMs, CLAIM_TOLERANCE_MS),
    { key: (c) => c.id },
  );
  private readonly unclaims = new StatementBatcher<{ id: string; jobId: string; attempt: number }, void>(
    async (claims) => {
      await this.deliveries.unclaim(claims);
      return claims.map(() => undefined);
    },
    { key: (c) => c.id },
  );
  private readonly outcomes = new StatementBatcher<AttemptOutcome, { recorded: boolean; failingSince: Date | null }>(
    (outcomes) => this.deliveries.recordOutcomes(outcomes),
    { key: (o) => o.deliveryId },
  );

  constructor(
    runtime: WorkerRuntime,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly targets: WebhookTargetsRepository,
    private readonly throttle: EndpointThrottle,
    private readonly sender: WebhookSender,
    private readonly jobs: DeliveryJobs,
    private readonly schedule: RetrySchedule,
    private readonly config: NotificationsConfig,
    private readonly mail: OutboundMailService,
    private readonly secrets: WebhookSecrets,
  ) {
    super(runtime);
    // Long enough for any attempt to end (timeout and the writes around it) before another may start.
    this.leaseMs = config.WEBHOOK_TIMEOUT_MS + 30_000;
  }

  protected override get concurrency(): number {
    return this.config.WEBHOOK_WORKER_CONCURRENCY;
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
    const claimed = await this.claims.submit({ id: deliveryId, jobId });
    if (!claimed) {
      // Done, gone, ended (its endpoint disabled), an attempt under way elsewhere, or a duplicate
      // job: nothing to do. Not due yet (clocks differ): the attempt needs a job at its due
      // time, this one having completed.
      const now = await this.deliveries.state(deliveryId);
      if (now?.status === 'pending' && !now.underWay) await this.jobs.deferred(now);
      return;
    }
    const target = claimed.target;
    const slot = await this.throttle.acquire(target.id, `${jobId}:${deliveryId}`, target.rateLimit);
    if (!slot.taken) {
      // No slot at its endpoint: the attempt did not start. Given back, and looked at again later.
      await this.unclaims.submit({ id: deliveryId, jobId, attempt: claimed.attempt });
      return this.jobs.later(deliveryId, slot.retryInMs);
    }
    try {
      const response = await this.sign(target, (secrets) => this.sender.send({ url: target.url, messageId: claimed.messageId, body: claimed.body, secrets }));
      await this.record(target, claimed, jobId, response);
    } finally {
      await slot.release();
    }
  }

  /**
   * Sends with the endpoint's secrets as they sign (opened, when stored encrypted). One that
   * cannot be read (WEBHOOK_SECRET_ENCRYPTION_KEY unset or changed) fails the attempt without a
   * request, and it is retried on the schedule like any failure, so deliveries resume once
   * the key is back.
   */
  private async sign(target: WebhookTargetRecord, send: (secrets: string[]) => Promise<WebhookResponse>): Promise<WebhookResponse> {
    let secrets: string[];
    try {
      secrets = target.secrets.map((stored) => this.secrets.open(target.id, stored));
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      return { statusCode: null, durationMs: 0, responseExcerpt: null, error: `not sent: ${error.message}` };
    }
    return send(secrets);
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
      startedAt: claimed.startedAt,
      durationMs: response.durationMs,
      statusCode: code,
      responseExcerpt: response.responseExcerpt,
      error: response.error ?? (succeeded ? null : gone ? GONE : `receiver answered ${code}`),
      status: succeeded ? 'succeeded' : delay === null ? 'failed' : 'pending',
      nextAttemptAt: delay === null ? null : new Date(Date.now() + delay),
    };
    const { recorded, failingSince } = await this.outcomes.submit(outcome);
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

  /**
   * Disables the endpoint (once) and records it: `endpoint.disabled` in the log, the endpoint's
   * reason, and an e-mail to WEBHOOK_ADMIN_EMAIL written in the same transaction.
   */
  private async disable(target: WebhookTargetRecord, reason: string, failingBefore?: Date): Promise<void> {
    const admin = this.config.WEBHOOK_ADMIN_EMAIL;
    const disabled = await this.runtime.dataSource.transaction(async (tx) => {
      const done = await this.targets.disable(tx, target.id, reason, failingBefore);
      if (done && admin) {
        await this.mail.queue(tx, {
          kind: 'webhook_endpoint_disabled',
          dedupeKey: `webhook-endpoint:${target.id}:disabled:${done.disabledAt.toISOString()}`,
          to: { address: admin, name: null },
          locale: null,
          customerExternalId: null,
          params: { endpointId: target.id, url: withoutCredentials(done.url), reason, disabledAt: done.disabledAt },
        });
      }
      return done;
    });
    if (disabled) this.runtime.logger.warn({ event: 'endpoint.disabled', endpointId: target.id, reason, adminMailed: Boolean(admin) }, 'webhook endpoint disabled');
  }
}

/** A URL as it may be shown: no user, password, query or fragment (any of them may carry a token). */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return '(unreadable URL)';
  }
}
