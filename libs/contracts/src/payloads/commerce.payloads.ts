import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { NotificationStatus, OrderChannel, ShipmentStatus } from '../enums.js';

/** Messages one mail.send job carries at most (a statement records at most this many). */
export const MAIL_SEND_MAX_MESSAGES = 500;

/** notifications → segmentation: an order was recorded (or changed); feeds the customer's stats. */
export class OrderRecordedPayload {
  @IsString()
  externalId!: string;

  @IsString()
  customerExternalId!: string;

  @IsIn(OrderChannel)
  channel!: OrderChannel;

  /** Decimal string, e.g. "1250000.00". */
  @Matches(/^-?\d{1,14}(\.\d{1,4})?$/)
  total!: string;

  @Matches(/^[A-Z]{3}$/)
  currency!: string;

  @Type(() => Date)
  @IsDate()
  placedAt!: Date;

  @IsInt()
  @Min(1)
  version!: number;
}

/** Which shipment an event is about, and what the carrier said: shared by shipment events. */
export class ShipmentRef {
  @IsUUID()
  shipmentId!: string;

  @IsString()
  orderExternalId!: string;

  @IsOptional()
  @IsString()
  customerExternalId!: string | null;

  @IsString()
  carrier!: string;

  @IsString()
  trackingNumber!: string;

  @IsOptional()
  @IsString()
  trackingUrl!: string | null;

  @IsOptional()
  @IsString()
  description!: string | null;

  @Type(() => Date)
  @IsDate()
  occurredAt!: Date;
}

/** notifications → webhooks: a shipment's current status changed. */
export class ShipmentStatusChangedPayload extends ShipmentRef {
  @IsOptional()
  @IsIn(ShipmentStatus)
  previousStatus!: ShipmentStatus | null;

  @IsIn(ShipmentStatus)
  status!: ShipmentStatus;
}

/** One recorded outbound message to send, with the request that caused it (for the logs). */
export class MailSendItem {
  @IsUUID()
  id!: string;

  @IsOptional()
  @IsString()
  requestId!: string | null;
}

/**
 * notifications → its mail worker: send the outbound messages one statement recorded (a
 * ticket's acknowledgement, or the notices of a batch of tracking events). Each message is
 * sent at most once whatever happens to the job (its own state decides), so one job may carry
 * many: per job, BullMQ, Redis and the outbox cost more than the SMTP conversation.
 */
export class MailSendPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAIL_SEND_MAX_MESSAGES)
  @ValidateNested({ each: true })
  @Type(() => MailSendItem)
  messages!: MailSendItem[];
}

/** notifications → webhooks: an outbound message was sent, or failed for good. */
export class NotificationOutcomePayload {
  @IsUUID()
  id!: string;

  @IsIn(['email'])
  channel!: 'email';

  @IsString()
  to!: string;

  @IsString()
  template!: string;

  @IsIn(NotificationStatus)
  status!: NotificationStatus;

  @IsOptional()
  @IsString()
  error!: string | null;

  @IsOptional()
  @IsString()
  messageId!: string | null;

  @IsOptional()
  @IsString()
  customerExternalId!: string | null;

  @IsOptional()
  @Type(() => Date)
  @IsDate()
  sentAt!: Date | null;
}
