import { NotificationStatus } from '@careflow/contracts';
import { webhookDocs } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { TEMPLATES } from './dto/notification.dto.js';

/** What `notification.sent` and `notification.failed` carry (contracts: NotificationOutcomePayload). */
@ApiSchema({ name: 'NotificationOutcomeData' })
class NotificationOutcomeDataDto {
  @ApiProperty({ format: 'uuid', example: 'e4b0d7a2-1c3f-4a5b-9d8e-7f6a5b4c3d2e', description: 'The message in GET /v1/notifications.' }) id!: string;
  @ApiProperty({ enum: ['email'], example: 'email' }) channel!: string;
  @ApiProperty({ example: 'lan.nguyen@example.com' }) to!: string;
  @ApiProperty({ enum: TEMPLATES, enumName: 'NotificationTemplate', example: 'shipment_out_for_delivery' }) template!: string;
  @ApiProperty({ enum: NotificationStatus.filter((s) => s === 'sent' || s === 'failed'), enumName: 'NotificationOutcome', example: 'sent' }) status!: string;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it failed for good (the mail server\'s answer).' }) error!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '<8f2c1e7a9b@shop.test>' }) messageId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'cus_1001' }) customerExternalId!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-22T07:30:01.000Z', description: 'Null for a failure.' }) sentAt!: string | null;
}

@ApiSchema({ name: 'NotificationSentEvent' })
export class NotificationSentEventDto {
  @ApiProperty({ enum: ['notification.sent'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: NotificationOutcomeDataDto }) data!: NotificationOutcomeDataDto;
}

@ApiSchema({ name: 'NotificationFailedEvent' })
export class NotificationFailedEventDto {
  @ApiProperty({ enum: ['notification.failed'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: NotificationOutcomeDataDto }) data!: NotificationOutcomeDataDto;
}

export const NOTIFICATION_WEBHOOK_MODELS = [NotificationSentEventDto, NotificationFailedEventDto];

export const NOTIFICATION_WEBHOOKS = webhookDocs([
  {
    type: 'notification.sent',
    summary: 'An e-mail to a shopper was sent',
    description: 'The mail server accepted it (a shipping notice, a ticket acknowledgement, an agent\'s reply). Each message is announced once.',
    schema: NotificationSentEventDto,
    example: {
      type: 'notification.sent',
      timestamp: '2026-11-22T07:30:01.050Z',
      data: {
        id: 'e4b0d7a2-1c3f-4a5b-9d8e-7f6a5b4c3d2e',
        channel: 'email',
        to: 'lan.nguyen@example.com',
        template: 'shipment_out_for_delivery',
        status: 'sent',
        error: null,
        messageId: '<8f2c1e7a9b@shop.test>',
        customerExternalId: 'cus_1001',
        sentAt: '2026-11-22T07:30:01.000Z',
      },
    },
  },
  {
    type: 'notification.failed',
    summary: 'An e-mail to a shopper failed for good',
    description: 'The mail server refused it permanently, or every attempt failed. `error` says why; the shopper did not get it.',
    schema: NotificationFailedEventDto,
    example: {
      type: 'notification.failed',
      timestamp: '2026-11-22T07:35:12.400Z',
      data: {
        id: 'f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b',
        channel: 'email',
        to: 'no-such-user@example.com',
        template: 'shipment_created',
        status: 'failed',
        error: '550 5.1.1 <no-such-user@example.com>: Recipient address rejected',
        messageId: '<0c9d8e7f6a@shop.test>',
        customerExternalId: 'cus_1002',
        sentAt: null,
      },
    },
  },
]);
