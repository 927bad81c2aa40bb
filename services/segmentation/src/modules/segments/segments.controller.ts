import { ApiOperationDoc, RequireScopes, UuidParam } from '@careflow/http';
import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  PutSegmentRulesDto,
  RecomputeAcceptedDto,
  RecomputeDto,
  SegmentDto,
  SegmentListDto,
  SegmentRulesDto,
} from './dto/segment.dto.js';
import { DEFAULT_SEGMENT_RULES } from './segment-rules.js';
import { SegmentsService } from './segments.service.js';

const RULES_EXAMPLE = SegmentRulesDto.of(1, DEFAULT_SEGMENT_RULES, new Date('2026-12-01T08:00:00.000Z'));

@ApiTags('Segments')
@Controller('v1/segments')
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Get()
  @RequireScopes('customers:read')
  @ApiOperationDoc({
    operationId: 'listSegments',
    summary: 'List segments with their rules, care policies and member counts',
    status: 200,
    type: SegmentListDto,
    example: {
      rulesVersion: 1,
      fallbackSegment: 'online',
      data: DEFAULT_SEGMENT_RULES.segments.map((s, i) => SegmentDto.of(s, [120, 860, 4100, 1900][i]!, [120, 820, 3300, 1760][i]!)),
    } satisfies SegmentListDto,
  })
  async list(): Promise<SegmentListDto> {
    const { ruleSet, members, primary } = await this.segments.listWithCounts();
    return {
      rulesVersion: ruleSet.version,
      fallbackSegment: ruleSet.rules.fallbackSegment,
      data: ruleSet.rules.segments.map((s) => SegmentDto.of(s, members.get(s.key) ?? 0, primary.get(s.key) ?? 0)),
    };
  }

  @Get('rules')
  @RequireScopes('customers:read')
  @ApiOperationDoc({ operationId: 'getSegmentRules', summary: 'Get the segment rules in force', status: 200, type: SegmentRulesDto, example: RULES_EXAMPLE })
  async rules(): Promise<SegmentRulesDto> {
    const { version, rules, createdAt } = await this.segments.currentRules();
    return SegmentRulesDto.of(version, rules, createdAt);
  }

  @Put('rules')
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'replaceSegmentRules',
    summary: 'Replace the segment rules; every customer is recomputed',
    description:
      'Stores the rule set as a new version and queues a recompute of every customer (set-based: seconds for a million customers). ' +
      'Each customer whose memberships change gets one `customer.segment_changed`. Follow the recompute at `/v1/segments/recomputes/{id}`. ' +
      'A 400 names every bad field at once (unknown keys, negative thresholds, unknown currencies, missing built-in segments).',
    status: 202,
    type: RecomputeAcceptedDto,
    example: { recomputeId: '3d5b1f0e-7c2a-4e8b-9f61-0a2b4c6d8e10', rulesVersion: 2, state: 'queued' } satisfies RecomputeAcceptedDto,
    errors: [400, 413, 415],
  })
  async replaceRules(@Body() body: PutSegmentRulesDto): Promise<RecomputeAcceptedDto> {
    const { ruleSet, recompute } = await this.segments.replaceRules({ ...body });
    return { recomputeId: recompute.id, rulesVersion: ruleSet.version, state: 'queued' };
  }

  @Get('recomputes/:id')
  @RequireScopes('customers:read')
  @ApiOperationDoc({
    operationId: 'getSegmentRecompute',
    summary: 'Follow a recompute: state, progress, customers changed',
    status: 200,
    type: RecomputeDto,
    example: {
      id: '3d5b1f0e-7c2a-4e8b-9f61-0a2b4c6d8e10',
      state: 'completed',
      phase: null,
      rulesVersion: 2,
      reason: 'rules_changed',
      progress: 1,
      customersTotal: 1000000,
      customersEvaluated: 1000000,
      customersChanged: 98412,
      error: null,
      createdAt: '2026-12-01T08:00:00.000Z',
      startedAt: '2026-12-01T08:00:00.100Z',
      finishedAt: '2026-12-01T08:00:21.400Z',
    } satisfies RecomputeDto,
    errors: [400, 404],
  })
  async recompute(@Param() params: UuidParam): Promise<RecomputeDto> {
    return RecomputeDto.of(await this.segments.recompute(params.id));
  }
}
