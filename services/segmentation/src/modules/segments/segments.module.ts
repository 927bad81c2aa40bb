import { Module } from '@nestjs/common';
import { MembershipsRepository } from './memberships.repository.js';
import { RecomputeSchedule } from './recompute-schedule.js';
import { RecomputesRepository } from './recomputes.repository.js';
import { SegmentRecomputeService } from './segment-recompute.service.js';
import { SegmentRulesRepository } from './segment-rules.repository.js';
import { SegmentsRecomputeProcessor } from './segments-recompute.processor.js';
import { SegmentsController } from './segments.controller.js';
import { SegmentsService } from './segments.service.js';

/** Segment rules, memberships and recomputes; SegmentsService.evaluate is how other features re-segment a customer. */
@Module({
  controllers: [SegmentsController],
  providers: [SegmentsService, SegmentRulesRepository, MembershipsRepository, RecomputesRepository, SegmentRecomputeService, SegmentsRecomputeProcessor, RecomputeSchedule],
  exports: [SegmentsService],
})
export class SegmentsModule {}
