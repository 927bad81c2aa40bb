import { Channel, SlaMetric, TicketPriority, TicketStatus, TicketType } from '@careflow/contracts';
import { webhookDocs } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { COMMENT_EXAMPLE, CommentDto } from '../comments/dto/comment.dto.js';

@ApiSchema({ name: 'WebhookTicketCustomer' })
class WebhookTicketCustomerDto {
  @ApiProperty({ type: String, nullable: true, example: 'cus_1001' })
  externalId!: string | null;
  @ApiProperty({ example: 'lan.nguyen@example.com' })
  email!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Nguyễn Thị Lan' })
  name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'vi' })
  locale!: string | null;
}

/** The ticket as ticket events carry it (contracts: TicketSnapshot). */
@ApiSchema({ name: 'WebhookTicket' })
export class WebhookTicketDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'integer', example: 1042 }) number!: number;
  @ApiProperty() subject!: string;
  @ApiProperty({ enum: TicketStatus }) status!: string;
  @ApiProperty({ enum: TicketPriority }) priority!: string;
  @ApiProperty({ enum: TicketType }) type!: string;
  @ApiProperty({ enum: Channel }) channel!: string;
  @ApiProperty({ type: String, nullable: true }) segment!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Group key.' }) group!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The group\'s inbound address (Reply-To).' }) groupAddress!: string | null;
  @ApiProperty({ type: String, nullable: true }) assignee!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: WebhookTicketCustomerDto }) customer!: WebhookTicketCustomerDto;
  @ApiProperty({ type: String, nullable: true }) orderExternalId!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) firstResponseDueAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolutionDueAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

@ApiSchema({ name: 'WebhookActor' })
class WebhookActorDto {
  @ApiProperty({ enum: ['agent', 'customer', 'system', 'api_key'], enumName: 'ActorType' }) type!: string;
  @ApiProperty({ type: String, nullable: true }) id!: string | null;
}

@ApiSchema({ name: 'TicketChangedData' })
class TicketChangedDataDto {
  @ApiProperty({ type: WebhookTicketDto }) ticket!: WebhookTicketDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: '`{ field: { from, to } }`; empty for ticket.created.' })
  changes!: Record<string, unknown>;
  @ApiProperty({ type: WebhookActorDto }) actor!: WebhookActorDto;
}

@ApiSchema({ name: 'TicketCommentData' })
class TicketCommentDataDto {
  @ApiProperty({ type: WebhookTicketDto }) ticket!: WebhookTicketDto;
  @ApiProperty({ type: CommentDto }) comment!: CommentDto;
}

@ApiSchema({ name: 'TicketSlaData' })
class TicketSlaDataDto {
  @ApiProperty({ type: WebhookTicketDto }) ticket!: WebhookTicketDto;
  @ApiProperty({ enum: SlaMetric }) metric!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
}

@ApiSchema({ name: 'TicketChangedEvent' })
export class TicketChangedEventDto {
  @ApiProperty({ enum: ['ticket.created', 'ticket.updated', 'ticket.solved'], enumName: 'TicketChangedEventType' }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: TicketChangedDataDto }) data!: TicketChangedDataDto;
}

@ApiSchema({ name: 'TicketCommentAddedEvent' })
export class TicketCommentAddedEventDto {
  @ApiProperty({ enum: ['ticket.comment_added'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: TicketCommentDataDto }) data!: TicketCommentDataDto;
}

@ApiSchema({ name: 'TicketSlaEvent' })
export class TicketSlaEventDto {
  @ApiProperty({ enum: ['ticket.sla_warning', 'ticket.sla_breached'], enumName: 'TicketSlaEventType' }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: TicketSlaDataDto }) data!: TicketSlaDataDto;
}

const TICKET = {
  id: '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11', number: 1042, subject: 'Đơn hàng #1042 chưa được giao', status: 'open', priority: 'high',
  type: 'question', channel: 'web', segment: 'vip', group: 'support', groupAddress: 'support@shop.test', assignee: 'agent_7', tags: ['delivery'],
  customer: { externalId: 'cus_1001', email: 'lan.nguyen@example.com', name: 'Nguyễn Thị Lan', locale: 'vi' }, orderExternalId: 'ord_1042',
  firstResponseDueAt: '2026-11-23T10:00:00.000Z', resolutionDueAt: '2026-11-23T17:30:00.000Z', createdAt: '2026-11-23T09:30:00.000Z', updatedAt: '2026-11-23T09:40:00.000Z',
};
const changed = (type: string, changes: object) => ({ type, timestamp: '2026-11-23T09:40:00.120Z', data: { ticket: TICKET, changes, actor: { type: 'agent', id: 'agent_7' } } });

export const TICKET_WEBHOOK_MODELS = [TicketChangedEventDto, TicketCommentAddedEventDto, TicketSlaEventDto];

export const TICKET_WEBHOOKS = webhookDocs([
  { type: 'ticket.created', summary: 'A ticket was opened', description: 'From any channel, including e-mail and shipment incidents.', schema: TicketChangedEventDto, example: changed('ticket.created', {}) },
  { type: 'ticket.updated', summary: 'A ticket changed', description: 'Status, priority, assignee, group, tags, segment or SLA due times; `changes` lists each with before and after.', schema: TicketChangedEventDto, example: changed('ticket.updated', { status: { from: 'new', to: 'open' } }) },
  { type: 'ticket.solved', summary: 'A ticket was solved', description: 'Sent in addition to ticket.updated.', schema: TicketChangedEventDto, example: changed('ticket.solved', { status: { from: 'open', to: 'solved' } }) },
  { type: 'ticket.comment_added', summary: 'A comment was added', description: 'Public replies and internal notes (`comment.public`).', schema: TicketCommentAddedEventDto, example: { type: 'ticket.comment_added', timestamp: '2026-11-23T09:45:00.050Z', data: { ticket: TICKET, comment: COMMENT_EXAMPLE } } },
  { type: 'ticket.sla_warning', summary: 'An SLA target is about to be missed', description: 'Sent SLA_WARNING_LEAD_SECONDS before the due time.', schema: TicketSlaEventDto, example: { type: 'ticket.sla_warning', timestamp: '2026-11-23T09:45:00.000Z', data: { ticket: TICKET, metric: 'first_response', dueAt: '2026-11-23T10:00:00.000Z' } } },
  { type: 'ticket.sla_breached', summary: 'An SLA target was missed', description: 'Sent at the due time (from a timer, not a poll).', schema: TicketSlaEventDto, example: { type: 'ticket.sla_breached', timestamp: '2026-11-23T10:00:00.004Z', data: { ticket: TICKET, metric: 'first_response', dueAt: '2026-11-23T10:00:00.000Z' } } },
]);
