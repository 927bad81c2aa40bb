import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TicketsConfig } from '../../config/tickets.config.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { TicketTimers } from './ticket-timers.js';

const BATCH = 500;

/**
 * Postgres holds every due time; Redis only the timers. Redis may lose them (no persistence,
 * failover) and a process may die between a commit and scheduling, so this pass re-derives
 * every ticket's timers from its row and adds them again: timers that exist are left alone
 * (same job id), missing ones come back, and overdue ones fire at once.
 */
@Injectable()
export class SlaReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tickets: TicketsRepository,
    private readonly timers: TicketTimers,
    private readonly config: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.reconcile()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'timer reconciliation failed'))
        .finally(() => (this.running = undefined));
    }, this.config.SLA_RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every ticket with a clock or an auto-close; one replica at a time. */
  async reconcile(): Promise<number> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(hashtext('careflow.tickets.reconcile')) AS locked`)) as Array<{ locked: boolean }>;
      if (!locked) return 0;
      try {
        let after: string | null = null;
        let seen = 0;
        for (;;) {
          const batch = await this.tickets.withTimers(after, BATCH);
          if (batch.length === 0) break;
          await this.timers.schedule(batch);
          seen += batch.length;
          after = batch[batch.length - 1]!.id;
        }
        return seen;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext('careflow.tickets.reconcile'))`);
      }
    } finally {
      await runner.release();
    }
  }
}
