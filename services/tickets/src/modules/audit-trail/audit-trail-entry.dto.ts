import { PageDto } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** What an entry of a ticket's audit trail records. */
export const AUDIT_TRAIL_ENTRY_TYPES = [
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
  // The customer's personal data was removed from the ticket (right to erasure).
  'customer_erased',
] as const;
export type AuditTrailEntryType = (typeof AUDIT_TRAIL_ENTRY_TYPES)[number];

/** A changed field's value: a status or key, a tag list, a set of due times, or nothing. */
const CHANGE_VALUE = [
  { type: 'string' },
  { type: 'array', items: { type: 'string' } },
  { type: 'object', additionalProperties: true },
  { type: 'null' },
];

// The audit trail's public schema names (TicketEvent…) predate the name; they stay as integrators know them.
@ApiSchema({ name: 'TicketEventActor' })
export class AuditTrailActorDto {
  @ApiProperty({ enum: ['agent', 'customer', 'system', 'api_key'], enumName: 'ActorType', example: 'agent' })
  type!: string;
  @ApiProperty({ type: String, nullable: true, example: 'agent_7' })
  id!: string | null;
}

@ApiSchema({ name: 'TicketEvent' })
export class AuditTrailEntryDto {
  @ApiProperty({ format: 'uuid', example: 'c2a8e8f1-0d8b-4c1e-9b51-1c7d1b0f3a77' })
  id!: string;
  @ApiProperty({ enum: AUDIT_TRAIL_ENTRY_TYPES, enumName: 'TicketEventType', example: 'status_changed' })
  type!: AuditTrailEntryType;
  @ApiProperty({ type: String, nullable: true, example: 'status', description: 'The field that changed, for *_changed events.' })
  field!: string | null;
  @ApiProperty({ oneOf: CHANGE_VALUE, example: 'new', description: 'Value before the change (null when not a field change).' })
  from!: unknown;
  @ApiProperty({ oneOf: CHANGE_VALUE, example: 'open', description: 'Value after the change.' })
  to!: unknown;
  @ApiProperty({ type: AuditTrailActorDto })
  actor!: AuditTrailActorDto;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {}, description: 'Details (comment id, SLA metric and due time, …).' })
  data!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:40:00.000Z' })
  createdAt!: string;
}

@ApiSchema({ name: 'TicketEventPage' })
export class AuditTrailPageDto extends PageDto {
  @ApiProperty({ type: [AuditTrailEntryDto] })
  data!: AuditTrailEntryDto[];
}

export const AUDIT_TRAIL_ENTRY_EXAMPLE: AuditTrailEntryDto = {
  id: 'c2a8e8f1-0d8b-4c1e-9b51-1c7d1b0f3a77',
  type: 'status_changed',
  field: 'status',
  from: 'new',
  to: 'open',
  actor: { type: 'agent', id: 'agent_7' },
  data: {},
  createdAt: '2026-11-23T09:40:00.000Z',
};
