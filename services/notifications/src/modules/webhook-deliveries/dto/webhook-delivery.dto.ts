import { IsTimestamp, PageDto, PageQuery, OptionalField } from '@careflow/http';
import { WebhookEventType } from '@careflow/contracts';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
const EVENT_TYPES = [...WebhookEventType, 'webhook.test'];

export class EndpointParams {
  @ApiProperty({ format: 'uuid', example: '5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}

export class DeliveryParams extends EndpointParams {
  @ApiProperty({ format: 'uuid', example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' })
  @IsUUID('all', { message: 'deliveryId must be a UUID' })
  deliveryId!: string;
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, enumName: 'WebhookDeliveryStatus' })
  @OptionalField()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: (typeof DELIVERY_STATUSES)[number];

  @ApiPropertyOptional({ enum: EVENT_TYPES, enumName: 'WebhookDeliveryEventType', example: 'ticket.created' })
  @OptionalField()
  @IsIn(EVENT_TYPES, { message: 'eventType must be a webhook event type (GET /v1/webhook-events)' })
  eventType?: string;
}

export class RecoverQuery {
  @ApiProperty({ format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'Failed deliveries created at or after this time are attempted again.' })
  @IsTimestamp({ maxFutureSeconds: 300 })
  since!: string;
}

@ApiSchema({ name: 'WebhookAttempt' })
export class WebhookAttemptDto {
  @ApiProperty({ type: 'integer', example: 1 }) attempt!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 84, description: 'Null while the attempt is under way.' }) durationMs!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 500, description: 'The receiver\'s HTTP status; null when none came (timeout, connection error, refused address).' })
  statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'upstream unavailable', description: 'The first 1 KB of the receiver\'s answer.' })
  responseExcerpt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'receiver answered 500' }) error!: string | null;
}

@ApiSchema({ name: 'WebhookDelivery' })
export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'msg_01KBF3Z7C2Q4V0N8H6M5T9R1XW', description: 'The `webhook-id` header, the same on every attempt.' }) messageId!: string;
  @ApiProperty({ enum: EVENT_TYPES, enumName: 'WebhookDeliveryEventType', example: 'ticket.created' }) eventType!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, enumName: 'WebhookDeliveryStatus', example: 'pending' }) status!: string;
  @ApiProperty({ type: [WebhookAttemptDto] }) attempts!: WebhookAttemptDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next attempt is due (pending deliveries).' }) nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

@ApiSchema({ name: 'WebhookDeliveryPage' })
export class WebhookDeliveryPageDto extends PageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) data!: WebhookDeliveryDto[];
}

@ApiSchema({ name: 'DeliveryRetryAccepted' })
export class DeliveryRetryAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['pending'], example: 'pending' }) status!: string;
  @ApiProperty({ format: 'date-time' }) nextAttemptAt!: string;
}

@ApiSchema({ name: 'RecoverAccepted' })
export class RecoverAcceptedDto {
  @ApiProperty({ type: 'integer', example: 3, description: 'Failed deliveries made pending again.' }) recovered!: number;
}
