import { Type } from 'class-transformer';
import { IsArray, IsDate, IsIn, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { ShipmentStatus } from '../enums.js';
import { ShipmentRef } from './commerce.payloads.js';
import { AttachmentRef } from './ticket.payloads.js';

/** notifications → tickets: a shipment got stuck, failed a delivery or came back. */
export class ShipmentIncidentPayload extends ShipmentRef {
  @IsOptional()
  @IsString()
  customerEmail!: string | null;

  @IsOptional()
  @IsString()
  customerName!: string | null;

  @IsIn(['failed_attempt', 'exception', 'returned'] satisfies ShipmentStatus[])
  status!: 'failed_attempt' | 'exception' | 'returned';
}

/** email-ingest → tickets: an inbound message, parsed and routed. */
export class InboundEmailParsedPayload {
  /** email-ingest's id of the stored message; also the idempotency key of what it creates. */
  @IsUUID()
  inboundEmailId!: string;

  /** The message's own Message-ID header. */
  @IsString()
  messageId!: string;

  @IsString()
  fromAddress!: string;

  @IsOptional()
  @IsString()
  fromName!: string | null;

  @IsString()
  subject!: string;

  /** Plain-text body with quoted history removed. */
  @IsString()
  text!: string;

  /** Sanitized HTML body, when the message had one. */
  @IsOptional()
  @IsString()
  html!: string | null;

  /** The ticket the message replies to, when email-ingest matched one. */
  @IsOptional()
  @IsUUID()
  ticketId!: string | null;

  /** The group whose inbound address received it. */
  @IsOptional()
  @IsString()
  groupKey!: string | null;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AttachmentRef)
  attachments!: AttachmentRef[];

  @Type(() => Date)
  @IsDate()
  receivedAt!: Date;
}
