import { QueueName, assertNever, type AutoCloseTimerPayload, type QueueJob, type SlaMetric, type SlaTimerPayload } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime, type AfterCommit } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { slaRunning } from '../tickets/status-machine.js';
import { TicketChanges } from '../tickets/ticket-changes.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
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
    private readonly changes: TicketChanges,
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
    const event = timer.phase === 'warning' ? 'ticket.sla_warning' : 'ticket.sla_breached';
    await this.changes.applyChange(tx, t, timer.phase === 'warning' ? {} : { breached: timer.metric }, SYSTEM, {
      notes: [{ type: timer.phase === 'warning' ? 'sla_warning' : 'sla_breached', data }],
      announce: (after) => [{ event, payload: { ticket: toTicketSnapshot(after), metric: timer.metric, dueAt: timer.dueAt } }],
    });
  }

  private async autoClose(tx: EntityManager, timer: AutoCloseTimerPayload): Promise<void> {
    const t = await this.tickets.find(timer.ticketId, tx, true);
    if (t.status !== 'solved' || t.solvedAt?.getTime() !== timer.solvedAt.getTime()) return;
    await this.changes.applyChange(tx, t, { status: 'closed' }, SYSTEM, { reason: 'auto_close' });
  }
}
