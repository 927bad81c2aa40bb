import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  ValidateNested,
} from 'class-validator';
import { Channel, CommentAuthorType, SlaMetric, TicketPriority, TicketStatus, TicketType } from '../enums.js';

export class TicketCustomerRef {
  @IsOptional()
  @IsString()
  externalId!: string | null;

  @IsString()
  email!: string;

  @IsOptional()
  @IsString()
  name!: string | null;

  @IsOptional()
  @IsString()
  locale!: string | null;
}

/** A ticket as events carry it (and as webhooks deliver it). */
export class TicketSnapshot {
  @IsUUID()
  id!: string;

  @IsInt()
  number!: number;

  @IsString()
  subject!: string;

  @IsIn(TicketStatus)
  status!: TicketStatus;

  @IsIn(TicketPriority)
  priority!: TicketPriority;

  @IsIn(TicketType)
  type!: TicketType;

  @IsIn(Channel)
  channel!: Channel;

  @IsOptional()
  @IsString()
  segment!: string | null;

  @IsOptional()
  @IsString()
  group!: string | null;

  /** The group's inbound address: the Reply-To of mail about this ticket. */
  @IsOptional()
  @IsString()
  groupAddress!: string | null;

  @IsOptional()
  @IsString()
  assignee!: string | null;

  @IsArray()
  @IsString({ each: true })
  tags!: string[];

  @ValidateNested()
  @Type(() => TicketCustomerRef)
  customer!: TicketCustomerRef;

  @IsOptional()
  @IsString()
  orderExternalId!: string | null;

  @IsOptional()
  @Type(() => Date)
  @IsDate()
  firstResponseDueAt!: Date | null;

  @IsOptional()
  @Type(() => Date)
  @IsDate()
  resolutionDueAt!: Date | null;

  @Type(() => Date)
  @IsDate()
  createdAt!: Date;

  @Type(() => Date)
  @IsDate()
  updatedAt!: Date;
}

export class TicketActor {
  @IsIn(['agent', 'customer', 'system', 'api_key'])
  type!: 'agent' | 'customer' | 'system' | 'api_key';

  @IsOptional()
  @IsString()
  id!: string | null;
}

/** The e-mail a ticket was opened from: the acknowledgement answers it, unless it must not. */
export class InboundMailContext {
  /** The Message-ID of the customer's message (the acknowledgement's In-Reply-To). */
  @IsString()
  messageId!: string;

  /** False for mailing-list mail (RFC 3834 §2: no automatic answer). */
  @IsBoolean()
  acknowledge!: boolean;
}

/** ticket.created, ticket.updated, ticket.solved */
export class TicketChangedPayload {
  @ValidateNested()
  @Type(() => TicketSnapshot)
  ticket!: TicketSnapshot;

  /** Changed fields, `{ field: { from, to } }`; empty for ticket.created. */
  @IsObject()
  changes!: Record<string, { from: unknown; to: unknown }>;

  @ValidateNested()
  @Type(() => TicketActor)
  actor!: TicketActor;

  /** ticket.created from an inbound e-mail. */
  @IsOptional()
  @ValidateNested()
  @Type(() => InboundMailContext)
  inboundMail?: InboundMailContext | null;
}

export class CommentAuthor {
  @IsIn(CommentAuthorType)
  type!: CommentAuthorType;

  @IsOptional()
  @IsString()
  id!: string | null;

  @IsOptional()
  @IsString()
  email!: string | null;

  @IsOptional()
  @IsString()
  name!: string | null;
}

export class AttachmentRef {
  @IsString()
  name!: string;

  @IsString()
  contentType!: string;

  @IsInt()
  size!: number;

  /** Where the content is kept (for e-mail: the inbound message and part). */
  @IsString()
  contentRef!: string;
}

export class TicketCommentSnapshot {
  @IsUUID()
  id!: string;

  @IsString()
  body!: string;

  @IsBoolean()
  public!: boolean;

  @ValidateNested()
  @Type(() => CommentAuthor)
  author!: CommentAuthor;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AttachmentRef)
  attachments!: AttachmentRef[];

  @Type(() => Date)
  @IsDate()
  createdAt!: Date;
}

/** ticket.comment_added: a public agent comment is what notifications mails to the customer. */
export class TicketCommentAddedPayload {
  @ValidateNested()
  @Type(() => TicketSnapshot)
  ticket!: TicketSnapshot;

  @ValidateNested()
  @Type(() => TicketCommentSnapshot)
  comment!: TicketCommentSnapshot;
}

/** ticket.sla_warning, ticket.sla_breached */
export class TicketSlaPayload {
  @ValidateNested()
  @Type(() => TicketSnapshot)
  ticket!: TicketSnapshot;

  @IsIn(SlaMetric)
  metric!: SlaMetric;

  @Type(() => Date)
  @IsDate()
  dueAt!: Date;
}

/** tickets → tickets: a delayed job that fires at an SLA warning or due time. */
export class SlaTimerPayload {
  @IsUUID()
  ticketId!: string;

  @IsIn(SlaMetric)
  metric!: SlaMetric;

  @IsIn(['warning', 'breach'])
  phase!: 'warning' | 'breach';

  /** The due time the timer was set for; a timer whose due time has since changed is stale. */
  @Type(() => Date)
  @IsDate()
  dueAt!: Date;
}

/** tickets → tickets: close a solved ticket after its quiet period. */
export class AutoCloseTimerPayload {
  @IsUUID()
  ticketId!: string;

  /** The solve this timer belongs to; a reopen and a new solve make it stale. */
  @Type(() => Date)
  @IsDate()
  solvedAt!: Date;
}
