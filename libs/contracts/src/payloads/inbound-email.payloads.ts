import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { InboundEmailStatus } from '../enums.js';
import { AttachmentRef } from './ticket.payloads.js';

/** email-ingest → email-ingest: a raw message was stored and waits to be parsed and routed. */
export class InboundEmailReceivedPayload {
  @IsUUID()
  inboundEmailId!: string;
}

/**
 * email-ingest → tickets: an inbound message, parsed, that is neither a bounce, an automatic
 * reply nor a duplicate. Tickets decides where it belongs (it owns tickets, their numbers,
 * their participants and the Message-IDs of their mail) and answers with
 * `inbound_email.routed`.
 */
export class InboundEmailParsedPayload {
  /** email-ingest's id of the stored message; also the idempotency key of what it creates. */
  @IsUUID()
  inboundEmailId!: string;

  /** The message's own Message-ID, `<id@host>`; a generated one when it had none. */
  @IsString()
  messageId!: string;

  /** The Message-IDs the message answers: In-Reply-To first, then References newest first. */
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  replyTo!: string[];

  @IsString()
  fromAddress!: string;

  @IsOptional()
  @IsString()
  fromName!: string | null;

  /** Every other address the message went to (To, Cc), lower-cased: participants of the thread. */
  @IsArray()
  @IsString({ each: true })
  ccAddresses!: string[];

  /** Recipient addresses in routing order (Delivered-To, X-Original-To, To, Cc), lower-cased. */
  @IsArray()
  @IsString({ each: true })
  recipients!: string[];

  @IsString()
  subject!: string;

  /** Plain-text body with quoted history and signature removed. */
  @IsString()
  text!: string;

  /** Sanitized HTML body, when the message had one. */
  @IsOptional()
  @IsString()
  html!: string | null;

  /** The group of the mailbox the message was fetched from; otherwise routing by recipient decides. */
  @IsOptional()
  @IsString()
  groupKey!: string | null;

  /** False for mailing-list mail: it becomes a ticket but gets no acknowledgement (RFC 3834 §2). */
  @IsBoolean()
  acknowledge!: boolean;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AttachmentRef)
  attachments!: AttachmentRef[];

  @Type(() => Date)
  @IsDate()
  receivedAt!: Date;
}

export const InboundRoutingOutcome = ['ticket_created', 'appended'] as const;
export type InboundRoutingOutcome = (typeof InboundRoutingOutcome)[number];

/** tickets → email-ingest: where a parsed message went. */
export class InboundEmailRoutedPayload {
  @IsUUID()
  inboundEmailId!: string;

  @IsIn(InboundRoutingOutcome)
  outcome!: InboundRoutingOutcome;

  @IsUUID()
  ticketId!: string;

  @IsInt()
  ticketNumber!: number;

  /** The comment the message became (an appended reply, or the description of a new ticket). */
  @IsOptional()
  @IsUUID()
  commentId!: string | null;

  /** Why it went where it went: "replied to #1042", "follow-up of closed #1042", … */
  @IsString()
  reason!: string;
}

export class BouncedRecipient {
  @IsString()
  address!: string;

  /** RFC 3463 status code, `5.1.1`. */
  @IsOptional()
  @IsString()
  status!: string | null;

  /** RFC 3464 action: failed, delayed, delivered, relayed, expanded. */
  @IsString()
  action!: string;

  @IsOptional()
  @IsString()
  diagnostic!: string | null;

  /** A permanent failure (action failed, status 5.x.x): the address must not be mailed again. */
  @IsBoolean()
  permanent!: boolean;
}

/**
 * email-ingest → tickets, notifications: a delivery status notification (RFC 3464) about
 * mail the product sent. Notifications stops mailing permanently failed addresses; tickets
 * adds an internal note to the ticket of the original message.
 */
export class InboundEmailBouncedPayload {
  @IsUUID()
  inboundEmailId!: string;

  /** The Message-ID of the message that bounced, when the report quotes it. */
  @IsOptional()
  @IsString()
  originalMessageId!: string | null;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BouncedRecipient)
  recipients!: BouncedRecipient[];

  @Type(() => Date)
  @IsDate()
  receivedAt!: Date;
}

/** inbound_email.processed: a message reached its final status (webhook event). */
export class InboundEmailProcessedPayload {
  @IsUUID()
  id!: string;

  @IsIn(InboundEmailStatus)
  status!: InboundEmailStatus;

  @IsOptional()
  @IsUUID()
  ticketId!: string | null;

  @IsOptional()
  @IsUUID()
  commentId!: string | null;

  @IsOptional()
  @IsString()
  reason!: string | null;

  @IsOptional()
  @IsString()
  messageId!: string | null;

  @IsOptional()
  @IsString()
  from!: string | null;

  @IsOptional()
  @IsString()
  subject!: string | null;

  @Type(() => Date)
  @IsDate()
  receivedAt!: Date;

  @Type(() => Date)
  @IsDate()
  processedAt!: Date;
}
