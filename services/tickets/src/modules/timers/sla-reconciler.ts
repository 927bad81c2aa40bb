import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TicketsConfig } from '../../config/tickets.config.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { TicketTimers } from '../tickets/ticket-timers.js';
import { TimersRepository } from './timers.repository.js';

const BATCH = 500;

/**
 * Postgres holds every due time; Redis only the timers of the near future. Every interval
 * this look-ahead finds the tickets with a timer due within the horizon (an index scan on
 * next_due_at and solved_at) and schedules them. The same pass rebuilds what Redis lost or a
 * crash between commit and scheduling left out: existing timers are left alone (same job
 * id), missing ones come back, and overdue ones fire at once.
 */
@Injectable()
export class SlaReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly locks: TimersRepository,
    private readonly tickets: TicketsRepository,
    private readonly timers: TicketTimers,
    private readonly config: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.SLA_RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  private tick(): void {
    this.running ??= this.reconcile()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'timer reconciliation failed'))
      .finally(() => (this.running = undefined));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every ticket with a clock or an auto-close; one replica at a time. */
  async reconcile(): Promise<number> {
    const seen = await this.locks.exclusively('careflow.tickets.reconcile', async () => {
      let after: string | null = null;
      let count = 0;
      const until = new Date(Date.now() + this.timers.horizonMs);
      for (;;) {
        const batch = await this.tickets.dueBefore(until, this.config.SLA_WARNING_LEAD_SECONDS, this.config.AUTO_CLOSE_AFTER_SECONDS, after, BATCH);
        if (batch.length === 0) break;
        await this.timers.schedule(batch, true);
        count += batch.length;
        after = batch[batch.length - 1]!.id;
      }
      return count;
    });
    return seen ?? 0;
  }
}
