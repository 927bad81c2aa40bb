import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { DeliveryJobs } from './delivery-jobs.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

const BATCH = 500;

/**
 * Postgres holds every delivery's next attempt; Redis only the jobs of the near future. Every
 * interval this look-ahead finds the deliveries due within the horizon and makes sure each has
 * its job: a retry lost with Redis comes back, an attempt whose worker died is retaken when its
 * lease ends. Jobs still in Redis are left alone (same job id).
 */
@Injectable()
export class WebhookReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly jobs: DeliveryJobs,
    private readonly config: NotificationsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.WORKERS_ENABLED) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.WEBHOOK_RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  private tick(): void {
    this.running ??= this.reconcile()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'webhook retry reconciliation failed'))
      .finally(() => (this.running = undefined));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Two passes of look-ahead, so nothing due falls between them. */
  get horizonMs(): number {
    return Math.max(2 * this.config.WEBHOOK_RECONCILE_INTERVAL_MS, 60_000);
  }

  /** One pass; one replica at a time. Returns the deliveries seen. */
  async reconcile(): Promise<number> {
    const seen = await this.deliveries.exclusively('careflow.notifications.webhook-reconcile', async () => {
      const until = new Date(Date.now() + this.horizonMs);
      let after: { at: string; id: string } | null = null;
      let count = 0;
      for (;;) {
        const batch = await this.deliveries.dueBefore(until, after, BATCH);
        if (batch.length === 0) break;
        await this.jobs.schedule(batch, true);
        count += batch.length;
        const last = batch[batch.length - 1]!;
        after = { at: last.cursor, id: last.id };
      }
      return count;
    });
    return seen ?? 0;
  }
}
