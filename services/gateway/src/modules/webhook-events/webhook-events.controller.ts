import { ApiOperationDoc, RequireScopes } from '@careflow/http';
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { OpenApiAggregator } from '../docs/openapi-aggregator.js';
import { WEBHOOK_EVENT_TYPE_EXAMPLE, WebhookEventTypeListDto } from './dto/webhook-event-type.dto.js';
import { webhookCatalogue } from './webhook-catalogue.js';
import { WebhookCatalogueIncompleteError } from './webhook-events.exceptions.js';

/**
 * The event catalogue is served by the gateway: it alone holds the merged OpenAPI document,
 * whose `webhooks` section every service fills with the events it emits (see webhook-catalogue.ts).
 */
@ApiTags('Webhook endpoints')
@Controller('v1/webhook-events')
@RequireScopes('webhooks:manage')
export class WebhookEventsController {
  constructor(private readonly docs: OpenApiAggregator) {}

  @Get()
  @ApiOperationDoc({
    operationId: 'listWebhookEventTypes',
    problems: ['webhook-catalogue-incomplete'],
    summary: 'The webhook event catalogue',
    description:
      'Every event an endpoint can subscribe to, plus `webhook.test`: its name, what it means, the JSON Schema of the body and an example. ' +
      'The same descriptions as the `webhooks` section of this document.',
    status: 200,
    type: WebhookEventTypeListDto,
    example: { data: [WEBHOOK_EVENT_TYPE_EXAMPLE], nextCursor: null },
    errors: [],
    errorDescriptions: { 503: 'A service did not answer, so its events would be missing; retry shortly.' },
  })
  async list(): Promise<WebhookEventTypeListDto> {
    const { document, missing } = await this.docs.document();
    if (missing.length > 0) throw new WebhookCatalogueIncompleteError(missing);
    return { data: webhookCatalogue(document), nextCursor: null };
  }
}
