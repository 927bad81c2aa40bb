import { NullableField, OptionalField } from '@careflow/http';
import { TicketPriority, TicketStatus, TicketType } from '@careflow/contracts';
import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsAgentId, IsGroupKey, IsTicketTags } from './ticket-fields.js';

/** Fields left out stay as they are; `null` clears assignee or group. */
@ApiSchema({ name: 'UpdateTicketRequest' })
export class UpdateTicketDto {
  @ApiPropertyOptional({ enum: TicketStatus, description: 'See the status rules: `closed` is final; only `solved` closes.' })
  @OptionalField()
  @IsIn(TicketStatus)
  status?: TicketStatus;

  @ApiPropertyOptional({ enum: TicketPriority, description: 'Setting it fixes the priority: segment changes no longer re-derive it.' })
  @OptionalField()
  @IsIn(TicketPriority)
  priority?: TicketPriority;

  @ApiPropertyOptional({ enum: TicketType })
  @OptionalField()
  @IsIn(TicketType)
  type?: TicketType;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'agent_7' })
  @NullableField()
  @IsAgentId()
  assignee?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'returns' })
  @NullableField()
  @IsGroupKey()
  group?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the tags.', example: ['delivery', 'vip'] })
  @OptionalField()
  @IsTicketTags()
  tags?: string[];
}
