import { Segment, TicketPriority } from '@careflow/contracts';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ArrayOfObjects } from '@careflow/http';
import { ArrayMinSize, IsIn, IsInt, Max, Min } from 'class-validator';

const MAX_SECONDS = 365 * 24 * 3600;

@ApiSchema({ name: 'SlaPolicy' })
export class SlaPolicyDto {
  @ApiProperty({ enum: Segment, example: 'vip' })
  @IsIn(Segment)
  segment!: Segment;

  @ApiProperty({ enum: TicketPriority, example: 'urgent' })
  @IsIn(TicketPriority)
  priority!: TicketPriority;

  @ApiProperty({ type: 'integer', example: 900, description: 'Seconds from creation to the first public agent reply.' })
  @IsInt()
  @Min(1)
  @Max(MAX_SECONDS)
  firstResponseSeconds!: number;

  @ApiProperty({ type: 'integer', example: 1800, description: 'Seconds from a customer reply to the next public agent reply.' })
  @IsInt()
  @Min(1)
  @Max(MAX_SECONDS)
  nextResponseSeconds!: number;

  @ApiProperty({ type: 'integer', example: 14400, description: 'Seconds from creation to solved.' })
  @IsInt()
  @Min(1)
  @Max(MAX_SECONDS)
  resolutionSeconds!: number;
}

@ApiSchema({ name: 'ReplaceSlaPoliciesRequest' })
export class ReplaceSlaPoliciesDto {
  @ApiProperty({ type: [SlaPolicyDto], description: 'Policies to set; segment × priority pairs not listed keep theirs.' })
  @ArrayMinSize(1)
  @ArrayOfObjects(() => SlaPolicyDto, { maxItems: Segment.length * TicketPriority.length })
  policies!: SlaPolicyDto[];
}

@ApiSchema({ name: 'SlaPolicyList' })
export class SlaPolicyListDto {
  @ApiProperty({ type: [SlaPolicyDto] })
  data!: SlaPolicyDto[];
  @ApiProperty({ type: String, nullable: true, example: null })
  nextCursor!: null;
}

export const SLA_POLICY_EXAMPLE: SlaPolicyDto = {
  segment: 'vip',
  priority: 'urgent',
  firstResponseSeconds: 900,
  nextResponseSeconds: 1800,
  resolutionSeconds: 14400,
};
