import { Module } from '@nestjs/common';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { SegmentReevaluation } from './segment-reevaluation.service.js';

@Module({ imports: [CustomerProjectionModule, TicketsModule], providers: [SegmentReevaluation], exports: [SegmentReevaluation] })
export class SegmentReevaluationModule {}
