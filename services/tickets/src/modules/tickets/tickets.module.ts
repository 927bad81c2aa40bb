import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AuditTrailModule } from '../audit-trail/audit-trail.module.js';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { GroupsModule } from '../groups/groups.module.js';
import { SlaModule } from '../sla/sla.module.js';
import { TicketChanges } from './ticket-changes.js';
import { TicketSearchRepository } from './ticket-search.repository.js';
import { TicketTimers } from './ticket-timers.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsRepository } from './tickets.repository.js';
import { TicketsService } from './tickets.service.js';

/** Tickets: the one write path (TicketChanges), their timers' scheduling, search, and the API. */
@Module({
  imports: [AgentsModule, GroupsModule, SlaModule, CustomerProjectionModule, AuditTrailModule],
  controllers: [TicketsController],
  providers: [TicketsRepository, TicketChanges, TicketTimers, TicketSearchRepository, TicketsService],
  exports: [TicketsRepository, TicketChanges, TicketTimers],
})
export class TicketsModule {}
