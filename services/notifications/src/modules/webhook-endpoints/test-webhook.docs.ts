import { webhookDocs } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'WebhookTestData' })
class WebhookTestDataDto {
  @ApiProperty({ format: 'uuid', example: '5b8f0f5e-2f51-4c8e-9a7d-3c1d2e4f6a80', description: 'The endpoint the test was sent to.' }) endpointId!: string;
  @ApiProperty({ example: 'A test event from Careflow.' }) message!: string;
}

@ApiSchema({ name: 'WebhookTestEvent' })
export class WebhookTestEventDto {
  @ApiProperty({ enum: ['webhook.test'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: WebhookTestDataDto }) data!: WebhookTestDataDto;
}

export const TEST_WEBHOOK_MODELS = [WebhookTestEventDto];

/** `webhook.test`: never subscribed to, sent to one endpoint on request, signed like every other message. */
export const TEST_WEBHOOKS = webhookDocs([
  {
    type: 'webhook.test',
    summary: 'A test message',
    description: 'Sent to one endpoint on request (POST /v1/webhooks/{id}/test), whatever it subscribes to: check your receiver verifies and acknowledges it.',
    schema: WebhookTestEventDto,
    example: {
      type: 'webhook.test',
      timestamp: '2026-12-01T09:05:00.000Z',
      data: { endpointId: '5b8f0f5e-2f51-4c8e-9a7d-3c1d2e4f6a80', message: 'A test event from Careflow.' },
    },
  },
]);
