import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';
import { NotificationStatus, OrderChannel, ShipmentStatus } from '../enums.js';

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

/** notifications → its mail worker: send (or suppress) one recorded outbound message. */
export class MailSendPayload {
  @IsUUID()
  outboundMessageId!: string;
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
