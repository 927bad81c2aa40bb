import { Module } from '@nestjs/common';
import { CustomerErasureModule } from '../customer-erasure/customer-erasure.module.js';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { InboundMailModule } from '../inbound-mail/inbound-mail.module.js';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { SegmentReevaluationModule } from '../segment-reevaluation/segment-reevaluation.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { TicketsIncomingProcessor } from './tickets-incoming.processor.js';

/** The consumer of the jobs other services send the tickets service. */
@Module({
  imports: [TicketsModule, CustomerProjectionModule, CustomerErasureModule, SegmentReevaluationModule, IncidentsModule, InboundMailModule],
  providers: [TicketsIncomingProcessor],
})
export class IncomingModule {}
