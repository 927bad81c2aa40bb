import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'WebhookEventDescription' })
export class WebhookEventTypeDto {
  @ApiProperty({ example: 'shipment.status_changed', description: 'The name to subscribe to (`events` of POST /v1/webhooks), and the body\'s `type`.' }) name!: string;
  @ApiProperty({ example: 'A shipment\'s status changed' }) summary!: string;
  @ApiProperty({ example: 'A tracking event moved the shipment to another status.' }) description!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'JSON Schema (2020-12) of the whole body `{ type, timestamp, data }`, self-contained (referenced schemas under `$defs`).',
    example: { title: 'webhook.test', type: 'object', properties: { type: { type: 'string', enum: ['webhook.test'] } }, required: ['type'] },
  })
  schema!: Record<string, unknown>;
  @ApiProperty({ description: 'An example body, valid against `schema`.', example: { type: 'shipment.status_changed', timestamp: '2026-11-22T07:30:00.120Z', data: {} } })
  example!: unknown;
}

@ApiSchema({ name: 'WebhookEventCatalogue' })
export class WebhookEventTypeListDto {
  @ApiProperty({ type: [WebhookEventTypeDto] }) data!: WebhookEventTypeDto[];
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Always null: the catalogue is one page.' }) nextCursor!: string | null;
}

export const WEBHOOK_EVENT_TYPE_EXAMPLE: WebhookEventTypeDto = {
  name: 'webhook.test',
  summary: 'A test message',
  description: 'Sent to one endpoint on request (POST /v1/webhooks/{id}/test), whatever it subscribes to.',
  schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'webhook.test',
    type: 'object',
    // Inline here, though real entries keep their referenced schemas under `$defs`: OpenAPI tools
    // (reference parsers of client generators) follow a `$ref` even inside an example, and one
    // into the example's own `$defs` resolves against the OpenAPI document, where it dangles.
    properties: {
      type: { type: 'string', enum: ['webhook.test'] },
      timestamp: { type: 'string', format: 'date-time' },
      data: { type: 'object', properties: { endpointId: { type: 'string', format: 'uuid' }, message: { type: 'string' } }, required: ['endpointId', 'message'] },
    },
    required: ['type', 'timestamp', 'data'],
  },
  example: { type: 'webhook.test', timestamp: '2026-12-01T09:05:00.000Z', data: { endpointId: '5b8f0f5e-2f51-4c8e-9a7d-3c1d2e4f6a80', message: 'A test event from Careflow.' } },
};
