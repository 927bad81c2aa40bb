import { Channel, TicketPriority, TicketStatus, TicketType } from '@careflow/contracts';
import { EXTERNAL_ID_PATTERN, PageQuery } from '@careflow/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsDateString, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const TICKET_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;

export class ListTicketsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'One status or several, comma-separated.', example: 'new,open', type: String })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @IsIn(TicketStatus, { each: true, message: `each status must be one of ${TicketStatus.join(', ')}` })
  status?: TicketStatus[];

  @ApiPropertyOptional({ description: 'One priority or several, comma-separated.', example: 'high,urgent', type: String })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @IsIn(TicketPriority, { each: true, message: `each priority must be one of ${TicketPriority.join(', ')}` })
  priority?: TicketPriority[];

  @ApiPropertyOptional({ example: 'vip' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  segment?: string;

  @ApiPropertyOptional({ example: 'cus_1001' })
  @IsOptional()
  @Matches(EXTERNAL_ID_PATTERN, { message: 'customerExternalId must be a customer external id' })
  customerExternalId?: string;

  @ApiPropertyOptional({ example: 'support', description: 'Group key.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  group?: string;

  @ApiPropertyOptional({ example: 'delivery' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tag?: string;

  @ApiPropertyOptional({ example: 'agent_7' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  assignee?: string;

  @ApiPropertyOptional({ enum: Channel })
  @IsOptional()
  @IsIn(Channel)
  channel?: Channel;

  @ApiPropertyOptional({ enum: TicketType })
  @IsOptional()
  @IsIn(TicketType)
  type?: TicketType;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'createdAfter must be an ISO-8601 date-time' })
  createdAfter?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'createdBefore must be an ISO-8601 date-time' })
  createdBefore?: string;

  @ApiPropertyOptional({ description: 'Full text over subject, description and comments; accents are ignored ("don hang" finds "Đơn hàng"). Web-search syntax: "exact phrase", -exclude, or.', example: 'don hang' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: TICKET_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(TICKET_SORTS)
  sort: TicketSort = '-createdAt';
}
