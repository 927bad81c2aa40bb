import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { CommentsController } from '../comments/comments.controller.js';
import { CommentsService } from '../comments/comments.service.js';
import { CustomersModule } from '../customers/customers.module.js';
import { TicketEventsService } from '../events/ticket-events.service.js';
import { GroupsModule } from '../groups/groups.module.js';
import { InboundMailService } from '../inbound-mail/inbound-mail.service.js';
import { ShipmentIncidentsService } from '../incidents/shipment-incidents.service.js';
import { TicketsInboxProcessor } from '../inbox/tickets-inbox.processor.js';
import { TicketSearch } from '../search/ticket-search.js';
import { SlaModule } from '../sla/sla.module.js';
import { SlaReconciler } from '../timers/sla-reconciler.js';
import { TicketTimers } from '../timers/ticket-timers.js';
import { TicketsTimersProcessor } from '../timers/tickets-timers.processor.js';
import { SegmentReevaluation } from './segment-reevaluation.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsRepository } from './tickets.repository.js';
import { TicketsService } from './tickets.service.js';

/** Tickets and everything that writes to them: comments, timers, incidents, inbound mail. */
@Module({
  imports: [AgentsModule, GroupsModule, SlaModule, CustomersModule],
  controllers: [TicketsController, CommentsController],
  providers: [
    TicketsRepository,
    TicketsService,
    TicketEventsService,
    TicketSearch,
    CommentsService,
    TicketTimers,
    TicketsTimersProcessor,
    SlaReconciler,
    SegmentReevaluation,
    ShipmentIncidentsService,
    InboundMailService,
    TicketsInboxProcessor,
  ],
})
export class TicketsModule {}
