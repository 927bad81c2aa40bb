import { QueueName, assertNever, type AutoCloseTimerPayload, type QueueJob, type SlaMetric, type SlaTimerPayload } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime, type AfterCommit } from '@careflow/messaging';
import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TicketEventsService } from '../events/ticket-events.service.js';
import { slaRunning } from '../tickets/status-machine.js';
import { NOW, TicketsRepository } from '../tickets/tickets.repository.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { toTicketSnapshot, type TicketRecord } from '../tickets/ticket.record.js';

const SYSTEM = { type: 'system' as const, id: null };

function dueOf(t: TicketRecord, metric: SlaMetric): Date | null {
  return metric === 'first_response' ? t.firstResponseDueAt : metric === 'next_response' ? t.nextResponseDueAt : t.resolutionDueAt;
}

function stillRunning(t: TicketRecord, metric: SlaMetric): boolean {
  if (!slaRunning(t.status)) return false;
  if (metric === 'first_response') return !t.firstRespondedAt && !t.firstResponseBreachedAt;
  if (metric === 'next_response') return !t.nextResponseBreachedAt;
  return !t.resolutionBreachedAt;
}

/**
 * Fires the tickets' delayed jobs. A timer checks the ticket's current state before acting:
 * one whose due time has changed since (a new priority), or whose clock stopped (answered,
 * solved), is stale and does nothing. So timers never need cancelling to be correct.
 */
@Injectable()
export class TicketsTimersProcessor extends QueueWorker<typeof QueueName.TicketsTimers> {
  protected readonly queue = QueueName.TicketsTimers;

  constructor(
    runtime: WorkerRuntime,
    private readonly tickets: TicketsRepository,
    private readonly ticketsService: TicketsService,
    private readonly events: TicketEventsService,
    private readonly outbox: Outbox,
  ) {
    super(runtime);
  }

  protected async handle(job: QueueJob<typeof QueueName.TicketsTimers>, tx: EntityManager): Promise<void | AfterCommit> {
    switch (job.name) {
      case 'ticket.sla_timer':
        return this.slaTimer(tx, job.envelope.data);
      case 'ticket.auto_close':
        return this.autoClose(tx, job.envelope.data);
      default:
        assertNever(job);
    }
  }

  private async slaTimer(tx: EntityManager, timer: SlaTimerPayload): Promise<void> {
    const t = await this.tickets.find(timer.ticketId, tx, true);
    if (dueOf(t, timer.metric)?.getTime() !== timer.dueAt.getTime() || !stillRunning(t, timer.metric)) return;
    const data = { metric: timer.metric, dueAt: timer.dueAt.toISOString() };
    if (timer.phase === 'warning') {
      await this.events.record(tx, t.id, SYSTEM, [{ type: 'sla_warning', data }]);
      await this.outbox.enqueue(tx, 'ticket.sla_warning', { ticket: toTicketSnapshot(t), metric: timer.metric, dueAt: timer.dueAt });
      return;
    }
    const column = `${timer.metric}_breached_at` as 'first_response_breached_at' | 'next_response_breached_at' | 'resolution_breached_at';
    const breached = await this.tickets.update(tx, t.id, { [column]: NOW });
    await this.events.record(tx, t.id, SYSTEM, [{ type: 'sla_breached', data }]);
    await this.outbox.enqueue(tx, 'ticket.sla_breached', { ticket: toTicketSnapshot(breached), metric: timer.metric, dueAt: timer.dueAt });
  }

  private async autoClose(tx: EntityManager, timer: AutoCloseTimerPayload): Promise<void> {
    const t = await this.tickets.find(timer.ticketId, tx, true);
    if (t.status !== 'solved' || t.solvedAt?.getTime() !== timer.solvedAt.getTime()) return;
    const closed = await this.tickets.update(tx, t.id, this.ticketsService.statusPatch(t, 'closed'));
    await this.events.record(tx, t.id, SYSTEM, [{ type: 'status_changed', field: 'status', from: 'solved', to: 'closed', data: { reason: 'auto_close' } }]);
    await this.ticketsService.announce(tx, t, closed, { status: { from: 'solved', to: 'closed' } }, SYSTEM);
  }
}
