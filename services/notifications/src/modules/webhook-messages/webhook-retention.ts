import { runExclusively } from '@careflow/persistence';
import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { WebhookMessagesRepository } from './webhook-messages.repository.js';

const BATCH = 1_000;
const INTERVAL_MS = 3_600_000;

/**
 * Keeps webhook messages, their deliveries and attempts for WEBHOOK_RETENTION_DAYS (the
 * delivery log, replays and recover reach back that far), then deletes them, hourly, in
 * batches, on one replica at a time. A message with a delivery still pending waits for it.
 */
@Injectable()
export class WebhookRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly messages: WebhookMessagesRepository,
    private readonly config: NotificationsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.WORKERS_ENABLED) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    this.running ??= this.purge()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'webhook retention pass failed'))
      .finally(() => (this.running = undefined));
  }

  /** One pass: every message past the retention period; the number deleted (0 when another replica runs it). */
  async purge(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.WEBHOOK_RETENTION_DAYS * 86_400_000);
    const deleted = await runExclusively(this.db, 'careflow.notifications.webhook-retention', async () => {
      let total = 0;
      for (;;) {
        const n = await this.messages.deleteOlderThan(cutoff, BATCH);
        total += n;
        if (n < BATCH) return total;
      }
    });
    if (deleted) this.logger.info({ deleted, cutoff }, 'webhook messages past their retention deleted');
    return deleted ?? 0;
  }
}
