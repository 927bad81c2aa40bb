import type { SlaMetric } from '@careflow/contracts';
import { deterministicUuid, JobQueues, type PublishableEvent } from '@careflow/messaging';
import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { TicketsConfig } from '../../config/tickets.config.js';
import { slaRunning } from './status-machine.js';
import type { TicketRecord } from './ticket.record.js';

interface Timer {
  key: string;
  at: number;
  event: PublishableEvent['event'];
  data: object;
}

/**
 * The delayed jobs a ticket needs, derived from its row alone: SLA warnings and breaches for
 * every running clock, and the auto-close of a solved ticket. Each timer's job id is derived
 * from the ticket, the metric and the due time, so scheduling is idempotent: the scheduler
 * can call it again to rebuild what Redis lost, and a changed due time simply makes a new
 * timer (the old one fires, sees it is stale, and does nothing).
 *
 * Only timers within the look-ahead horizon become BullMQ jobs; later ones stay rows in
 * Postgres until the periodic look-ahead (SlaReconciler) reaches them. A ticket write then
 * costs no Redis work unless something is due soon, and Redis never holds days of timers.
 */
@Injectable()
export class TicketTimers {
  constructor(
    private readonly queues: JobQueues,
    private readonly config: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * What a write does once committed: schedule the tickets' timers. If Redis is unreachable now
   * the look-ahead rebuilds them, so this logs and never fails the request or job that wrote.
   */
  async afterWrite(tickets: readonly TicketRecord[]): Promise<void> {
    try {
      await this.schedule(tickets);
    } catch (error) {
      this.logger.warn({ err: error, tickets: tickets.map((t) => t.id) }, 'could not schedule ticket timers now; the reconciler will');
    }
  }

  timersFor(t: TicketRecord, now = Date.now()): Timer[] {
    const timers: Timer[] = [];
    if (slaRunning(t.status)) {
      const clocks: Array<[SlaMetric, Date | null, boolean]> = [
        ['first_response', t.firstResponseDueAt, !t.firstRespondedAt && !t.firstResponseBreachedAt],
        ['next_response', t.nextResponseDueAt, !t.nextResponseBreachedAt],
        ['resolution', t.resolutionDueAt, !t.resolutionBreachedAt],
      ];
      for (const [metric, due, running] of clocks) {
        if (!due || !running) continue;
        const dueMs = due.getTime();
        const warnAt = dueMs - this.config.SLA_WARNING_LEAD_SECONDS * 1000;
        if (this.config.SLA_WARNING_LEAD_SECONDS > 0 && warnAt > now) {
          timers.push({ key: `sla:${t.id}:${metric}:warning:${dueMs}`, at: warnAt, event: 'ticket.sla_timer', data: { ticketId: t.id, metric, phase: 'warning', dueAt: due } });
        }
        timers.push({ key: `sla:${t.id}:${metric}:breach:${dueMs}`, at: dueMs, event: 'ticket.sla_timer', data: { ticketId: t.id, metric, phase: 'breach', dueAt: due } });
      }
    }
    if (t.status === 'solved' && t.solvedAt) {
      const at = t.solvedAt.getTime() + this.config.AUTO_CLOSE_AFTER_SECONDS * 1000;
      timers.push({ key: `auto-close:${t.id}:${t.solvedAt.getTime()}`, at, event: 'ticket.auto_close', data: { ticketId: t.id, solvedAt: t.solvedAt } });
    }
    return timers;
  }

  /** How far ahead timers become jobs: two look-ahead passes, so none is missed between them. */
  get horizonMs(): number {
    return Math.max(2 * this.config.SLA_RECONCILE_INTERVAL_MS, 60_000);
  }

  /**
   * Adds the near-future timers of these tickets. `repair` (the look-ahead) also checks each
   * timer's state and restores one Redis lost entirely or in part; a write path skips that.
   */
  async schedule(tickets: readonly TicketRecord[], repair = false): Promise<void> {
    const now = Date.now();
    const until = now + this.horizonMs;
    const events: PublishableEvent[] = tickets.flatMap((t) =>
      this.timersFor(t, now).filter((timer) => timer.at <= until).map((timer) => {
        const id = deterministicUuid(timer.key);
        return {
          id,
          event: timer.event,
          delay: Math.max(0, timer.at - now),
          envelope: { eventId: id, occurredAt: new Date(now), data: timer.data },
        };
      }),
    );
    if (events.length === 0) return;
    if (repair) await this.queues.restore(events);
    else await this.queues.publish(events);
  }
}
