import { Channel, Segment, type CarePolicy } from '@careflow/contracts';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import type { RecomputeRecord } from '../recomputes.repository.js';
import { DEFAULT_SEGMENT_RULES, isBuiltIn, type RuleNode, type SegmentDefinition, type SegmentRules } from '../segment-rules.js';

const RULE_DESCRIPTION = `A rule: an object with exactly one of
- \`all\`: [rules], \`any\`: [rules], \`not\`: rule (at most 6 levels, 64 conditions);
- \`ordersCount\`: { min?, max?, withinDays? } (integers);
- \`totalSpent\`: { currency (ISO 4217), min?, max? (decimal strings), withinDays? };
- \`lastOrder\`: { withinDays? (ordered recently), notWithinDays? (lapsed; never ordered counts) };
- \`channelShare\`: { channel: online | in_store, min?, max? (0 to 1), withinDays? }: at least one order in the channel and its share of all orders within the bounds;
- \`tags\`: { any?, all?, none? } (lists of tags).`;

@ApiSchema({ name: 'CarePolicy' })
export class CarePolicyDto implements CarePolicy {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 3, example: 1, description: 'Steps a derived ticket priority is raised (normal → high for 1).' })
  priorityBump!: number;
  @ApiProperty({ enum: Segment, example: 'vip', description: 'Whose SLA targets the customer\'s tickets get.' })
  slaPolicy!: Segment;
  @ApiProperty({ enum: Channel, example: 'phone', description: 'How the customer prefers to be reached (carried to the other services; e-mail is the only channel sent today).' })
  preferredChannel!: Channel;
}

@ApiSchema({ name: 'SegmentDefinition' })
export class SegmentDefinitionDto {
  @ApiProperty({ example: 'vip', pattern: '^[a-z][a-z0-9_]{1,39}$', description: 'The four built-in keys (vip, regular, online, walk_in) or a custom one.' })
  key!: string;
  @ApiPropertyOptional({ example: 'VIP', maxLength: 100, description: 'Required for custom segments; built-in ones default to their usual name.' })
  name?: string;
  @ApiPropertyOptional({ maxLength: 500, example: 'Spent at least the threshold of a currency, or ordered 10 times, within a year.' })
  description?: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: RULE_DESCRIPTION, example: DEFAULT_SEGMENT_RULES.segments[0]!.rule })
  rule!: RuleNode;
  @ApiPropertyOptional({ type: CarePolicyDto, description: 'Required for the built-in segments, refused for custom ones (care follows the primary segment, always a built-in one).' })
  policy?: CarePolicyDto;
}

/**
 * The rule set as PUT takes it. Checked as a whole by segmentRulesProblems (one 400 naming
 * every bad field), so the properties here only let the document through the request pipe.
 */
@ApiSchema({ name: 'ReplaceSegmentRulesRequest' })
export class PutSegmentRulesDto {
  @ApiProperty({ enum: Segment, example: 'online', description: 'The primary segment of a customer no built-in rule matches.' })
  @Allow()
  fallbackSegment!: Segment;

  @ApiProperty({
    type: [SegmentDefinitionDto],
    description: 'Every segment: the four built-in ones (each exactly once) and up to 46 custom ones. The primary segment is the first built-in match in the precedence vip > regular > online > walk_in (a manual VIP flag and `segmentOverride` win over rules); custom segments are memberships beside it.',
  })
  @Allow()
  segments!: SegmentDefinitionDto[];
}

@ApiSchema({ name: 'SegmentRules' })
export class SegmentRulesDto extends PutSegmentRulesDto {
  @ApiProperty({ type: 'integer', example: 2, description: 'Increases with every PUT.' })
  version!: number;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T08:00:00.000Z' })
  updatedAt!: string;

  static of(version: number, rules: SegmentRules, at: Date): SegmentRulesDto {
    return { version, fallbackSegment: rules.fallbackSegment, segments: rules.segments.map(definitionDto), updatedAt: at.toISOString() };
  }
}

function definitionDto(s: SegmentDefinition): SegmentDefinitionDto {
  return { key: s.key, name: s.name, ...(s.description !== undefined ? { description: s.description } : {}), rule: s.rule, ...(s.policy ? { policy: s.policy } : {}) };
}

@ApiSchema({ name: 'Segment' })
export class SegmentDto extends SegmentDefinitionDto {
  @ApiProperty({ example: true, description: 'One of the four built-in segments (they can be re-ruled, not removed).' })
  builtIn!: boolean;
  @ApiProperty({ type: 'integer', example: 1250, description: 'Customers who are members (match the rule, or have it as primary segment).' })
  memberCount!: number;
  @ApiProperty({ type: 'integer', example: 1180, description: 'Customers whose primary segment it is (0 for custom segments).' })
  primaryCount!: number;

  static of(s: SegmentDefinition, members: number, primary: number): SegmentDto {
    return { ...definitionDto(s), builtIn: isBuiltIn(s.key), memberCount: members, primaryCount: primary };
  }
}

@ApiSchema({ name: 'SegmentList' })
export class SegmentListDto {
  @ApiProperty({ type: [SegmentDto] })
  data!: SegmentDto[];
  @ApiProperty({ type: 'integer', example: 2, description: 'The version of the rule set in force.' })
  rulesVersion!: number;
  @ApiProperty({ enum: Segment, example: 'online' })
  fallbackSegment!: Segment;
}

@ApiSchema({ name: 'Recompute' })
export class RecomputeDto {
  @ApiProperty({ format: 'uuid', example: '3d5b1f0e-7c2a-4e8b-9f61-0a2b4c6d8e10' })
  id!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'], enumName: 'RecomputeState', example: 'completed' })
  state!: RecomputeRecord['state'];
  @ApiProperty({ enum: ['evaluating', 'applying'], enumName: 'RecomputePhase', nullable: true, example: null, description: 'While running: evaluating every customer, then applying the changes in batches.' })
  phase!: RecomputeRecord['phase'];
  @ApiProperty({ type: 'integer', example: 2, description: 'The rule set version it applies.' })
  rulesVersion!: number;
  @ApiProperty({ enum: ['rules_changed', 'scheduled'], enumName: 'RecomputeReason', example: 'rules_changed', description: 'A PUT of the rules, or the schedule (SEGMENT_RECOMPUTE_INTERVAL_HOURS) that moves the rules\' time windows along.' })
  reason!: RecomputeRecord['reason'];
  @ApiProperty({ type: 'number', format: 'double', example: 1, minimum: 0, maximum: 1, description: 'Share done: half for evaluating, half for applying.' })
  progress!: number;
  @ApiProperty({ type: 'integer', nullable: true, example: 1000000 })
  customersTotal!: number | null;
  @ApiProperty({ type: 'integer', example: 1000000 })
  customersEvaluated!: number;
  @ApiProperty({ type: 'integer', example: 98412, description: 'Customers whose memberships changed (one `customer.segment_changed` each).' })
  customersChanged!: number;
  @ApiProperty({ type: String, nullable: true, example: null })
  error!: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T08:00:00.000Z' })
  createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-12-01T08:00:00.100Z' })
  startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-12-01T08:00:21.400Z' })
  finishedAt!: string | null;

  static of(r: RecomputeRecord): RecomputeDto {
    const applying = r.customersDiffering ? 0.5 + (0.5 * Math.min(r.customersApplied, r.customersDiffering)) / r.customersDiffering : 0.5;
    const progress = r.state === 'completed' ? 1 : r.phase === 'applying' ? Math.round(applying * 1000) / 1000 : 0;
    return {
      id: r.id,
      state: r.state,
      phase: r.phase,
      rulesVersion: r.rulesVersion,
      reason: r.reason,
      progress,
      customersTotal: r.customersTotal,
      customersEvaluated: r.customersEvaluated,
      customersChanged: r.customersChanged,
      error: r.error,
      createdAt: r.createdAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
    };
  }
}

@ApiSchema({ name: 'RecomputeAccepted' })
export class RecomputeAcceptedDto {
  @ApiProperty({ format: 'uuid', example: '3d5b1f0e-7c2a-4e8b-9f61-0a2b4c6d8e10' })
  recomputeId!: string;
  @ApiProperty({ type: 'integer', example: 2 })
  rulesVersion!: number;
  @ApiProperty({ enum: ['queued'], example: 'queued' })
  state!: 'queued';
}
