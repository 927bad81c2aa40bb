import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module.js';
import { SlaReconciler } from './sla-reconciler.js';
import { TicketsTimersProcessor } from './tickets-timers.processor.js';
import { TimersRepository } from './timers.repository.js';

/** The tickets' timers firing (SLA warnings and breaches, auto-close), and the look-ahead that schedules and repairs them. */
@Module({
  imports: [TicketsModule],
  providers: [TimersRepository, SlaReconciler, TicketsTimersProcessor],
})
export class TimersModule {}
