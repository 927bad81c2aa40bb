import { InboundEmailStatus } from '@careflow/contracts';
import { webhookDocs } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'InboundEmailProcessedData' })
class InboundEmailProcessedDataDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: InboundEmailStatus.filter((s) => s !== 'queued'), enumName: 'InboundEmailOutcome', description: 'The final status.' }) status!: InboundEmailStatus;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) ticketId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The comment an appended reply became.' }) commentId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'reply to #1042 (In-Reply-To)' }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '<CAF=x1Yq@mail.gmail.com>' }) messageId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'lan.nguyen@example.com' }) from!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Re: [#1042] Where is my parcel?' }) subject!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the status became final; a message reaches it once.' }) processedAt!: string;
}

@ApiSchema({ name: 'InboundEmailProcessedEvent' })
export class InboundEmailProcessedEventDto {
  @ApiProperty({ enum: ['inbound_email.processed'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: InboundEmailProcessedDataDto }) data!: InboundEmailProcessedDataDto;
}

export const INBOUND_EMAIL_WEBHOOK_MODELS = [InboundEmailProcessedEventDto];

export const INBOUND_EMAIL_WEBHOOKS = webhookDocs([
  {
    type: 'inbound_email.processed',
    summary: 'An inbound e-mail reached its final status',
    description:
      'It became a ticket (`ticket_created`, also a follow-up of a closed ticket) or a comment (`appended`), or was recorded as `duplicate`, ' +
      '`ignored_auto_reply`, `bounce` or `rejected` with the reason.',
    schema: InboundEmailProcessedEventDto,
    example: {
      type: 'inbound_email.processed',
      timestamp: '2026-12-01T09:14:03.330Z',
      data: {
        id: '8a4c2f0e-5b1d-4c7a-9e3f-2d6b1a0c9e77',
        status: 'appended',
        ticketId: '3f2b9c1e-7a4d-4e8f-b6c5-1d0a9e8f7b6c',
        commentId: '5e1d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c',
        reason: 'reply to #1042 (In-Reply-To)',
        messageId: '<CAF=x1Yq@mail.gmail.com>',
        from: 'lan.nguyen@example.com',
        subject: 'Re: [#1042] Where is my parcel?',
        receivedAt: '2026-12-01T09:14:03.120Z',
        processedAt: '2026-12-01T09:14:03.310Z',
      },
    },
  },
]);
