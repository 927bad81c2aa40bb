import { Channel, Segment, TicketPriority, TicketStatus, TicketType } from '@careflow/contracts';
import { EXTERNAL_ID_PATTERN, IsTimestamp, OptionalField, PageQuery } from '@careflow/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { IsAgentId, IsGroupKey } from './ticket-fields.js';

export const TICKET_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;

/** The filters of a ticket list; a customer's own list (its path names the customer) takes these. */
export class TicketFilterQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'One status or several, repeated (`status=new&status=open`) or comma-separated (`status=new,open`).',
    enum: TicketStatus,
    isArray: true,
    example: ['new', 'open'],
  })
  @OptionalField()
  @Transform(list)
  @IsArray()
  @IsIn(TicketStatus, { each: true, message: `each status must be one of ${TicketStatus.join(', ')}` })
  status?: TicketStatus[];

  @ApiPropertyOptional({
    description: 'One priority or several, repeated (`priority=high&priority=urgent`) or comma-separated (`priority=high,urgent`).',
    enum: TicketPriority,
    isArray: true,
    example: ['high', 'urgent'],
  })
  @OptionalField()
  @Transform(list)
  @IsArray()
  @IsIn(TicketPriority, { each: true, message: `each priority must be one of ${TicketPriority.join(', ')}` })
  priority?: TicketPriority[];

  @ApiPropertyOptional({ enum: Segment, example: 'vip', description: 'The customer\'s primary segment, always a built-in one (custom segments are not kept on tickets).' })
  @OptionalField()
  @IsIn(Segment, { message: `segment must be one of ${Segment.join(', ')}` })
  segment?: Segment;

  @ApiPropertyOptional({ example: 'support', description: 'Group key.' })
  @OptionalField()
  @IsGroupKey()
  group?: string;

  @ApiPropertyOptional({ example: 'delivery' })
  @OptionalField()
  @IsString()
  @MaxLength(64)
  tag?: string;

  @ApiPropertyOptional({ example: 'agent_7' })
  @OptionalField()
  @IsAgentId()
  assignee?: string;

  @ApiPropertyOptional({ enum: Channel })
  @OptionalField()
  @IsIn(Channel)
  channel?: Channel;

  @ApiPropertyOptional({ enum: TicketType })
  @OptionalField()
  @IsIn(TicketType)
  type?: TicketType;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z' })
  @OptionalField()
  @IsTimestamp()
  createdAfter?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z' })
  @OptionalField()
  @IsTimestamp()
  createdBefore?: string;

  @ApiPropertyOptional({ description: 'Full text over subject, description and comments; accents are ignored ("don hang" finds "Đơn hàng"). Web-search syntax: "exact phrase", -exclude, or.', example: 'don hang' })
  @OptionalField()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: TICKET_SORTS, enumName: 'TicketSort', default: '-createdAt' })
  @OptionalField()
  @IsIn(TICKET_SORTS)
  sort: TicketSort = '-createdAt';
}

/** GET /v1/tickets: the filters, and the customer. */
export class ListTicketsQuery extends TicketFilterQuery {
  @ApiPropertyOptional({ example: 'cus_1001' })
  @OptionalField()
  @Matches(EXTERNAL_ID_PATTERN, { message: 'customerExternalId must be a customer external id' })
  customerExternalId?: string;
}
