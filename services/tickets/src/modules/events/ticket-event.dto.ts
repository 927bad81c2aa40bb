import { PageDto } from '@careflow/http';
import { ApiProperty } from '@nestjs/swagger';

export const TICKET_EVENT_TYPES = [
  'created',
  'status_changed',
  'priority_changed',
  'type_changed',
  'assignee_changed',
  'group_changed',
  'tags_changed',
  'segment_changed',
  'sla_changed',
  'comment_added',
  'sla_warning',
  'sla_breached',
  'follow_up_created',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** A changed field's value: a status or key, a tag list, a set of due times, or nothing. */
const CHANGE_VALUE = [
  { type: 'string' },
  { type: 'array', items: { type: 'string' } },
  { type: 'object', additionalProperties: true },
  { type: 'null' },
];

export class TicketEventActorDto {
  @ApiProperty({ enum: ['agent', 'customer', 'system', 'api_key'], example: 'agent' })
  type!: string;
  @ApiProperty({ type: String, nullable: true, example: 'agent_7' })
  id!: string | null;
}

export class TicketEventDto {
  @ApiProperty({ format: 'uuid', example: 'c2a8e8f1-0d8b-4c1e-9b51-1c7d1b0f3a77' })
  id!: string;
  @ApiProperty({ enum: TICKET_EVENT_TYPES, example: 'status_changed' })
  type!: TicketEventType;
  @ApiProperty({ type: String, nullable: true, example: 'status', description: 'The field that changed, for *_changed events.' })
  field!: string | null;
  @ApiProperty({ oneOf: CHANGE_VALUE, example: 'new', description: 'Value before the change (null when not a field change).' })
  from!: unknown;
  @ApiProperty({ oneOf: CHANGE_VALUE, example: 'open', description: 'Value after the change.' })
  to!: unknown;
  @ApiProperty({ type: TicketEventActorDto })
  actor!: TicketEventActorDto;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {}, description: 'Details (comment id, SLA metric and due time, …).' })
  data!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:40:00.000Z' })
  createdAt!: string;
}

export class TicketEventPageDto extends PageDto {
  @ApiProperty({ type: [TicketEventDto] })
  data!: TicketEventDto[];
}

export const TICKET_EVENT_EXAMPLE: TicketEventDto = {
  id: 'c2a8e8f1-0d8b-4c1e-9b51-1c7d1b0f3a77',
  type: 'status_changed',
  field: 'status',
  from: 'new',
  to: 'open',
  actor: { type: 'agent', id: 'agent_7' },
  data: {},
  createdAt: '2026-11-23T09:40:00.000Z',
};
