import { ApiOperationDoc, RequireScopes, type Page } from '@careflow/http';
import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  DeliveryParams,
  DeliveryRetryAcceptedDto,
  EndpointParams,
  ListDeliveriesQuery,
  RecoverAcceptedDto,
  RecoverQuery,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
} from './dto/webhook-delivery.dto.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';

const EXAMPLE: WebhookDeliveryDto = {
  id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  messageId: 'msg_01KBF3Z7C2Q4V0N8H6M5T9R1XW',
  eventType: 'ticket.created',
  status: 'pending',
  attempts: [
    { attempt: 1, startedAt: '2026-12-02T09:00:00.120Z', durationMs: 212, statusCode: 503, responseExcerpt: 'upstream unavailable', error: 'receiver answered 503' },
    { attempt: 2, startedAt: '2026-12-02T09:00:05.310Z', durationMs: 15000, statusCode: null, responseExcerpt: null, error: 'timed out after 15000 ms' },
  ],
  nextAttemptAt: '2026-12-02T09:05:05.000Z',
  createdAt: '2026-12-02T09:00:00.100Z',
};

@ApiTags('Webhooks')
@Controller('v1/webhooks/:id')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Get('deliveries')
  @RequireScopes('webhooks:manage')
  @ApiOperationDoc({
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log of an endpoint',
    description:
      'Every message sent (or being sent) to the endpoint, newest first, with each attempt: status code, duration, the first 1 KB of the answer, the error, ' +
      'and when the next attempt is due. Attempts follow `WEBHOOK_RETRY_SCHEDULE` (by default now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h).',
    status: 200,
    type: WebhookDeliveryPageDto,
    example: { data: [EXAMPLE], nextCursor: null },
    errors: [400, 404],
  })
  async list(@Param() params: EndpointParams, @Query() q: ListDeliveriesQuery): Promise<Page<WebhookDeliveryDto>> {
    return this.deliveries.list(params.id, q);
  }

  @Post('deliveries/:deliveryId/retry')
  @RequireScopes('webhooks:manage')
  @ApiOperationDoc({
    operationId: 'retryWebhookDelivery',
    summary: 'Replay one delivery now',
    description: 'A new attempt now with the same message (same `webhook-id`, same body); a failed or succeeded delivery becomes pending again.',
    status: 202,
    type: DeliveryRetryAcceptedDto,
    example: { id: EXAMPLE.id, status: 'pending', nextAttemptAt: '2026-12-02T09:01:00.000Z' },
    errors: [400, 404],
  })
  async retry(@Param() params: DeliveryParams): Promise<DeliveryRetryAcceptedDto> {
    return this.deliveries.retry(params.id, params.deliveryId);
  }

  @Post('recover')
  @RequireScopes('webhooks:manage')
  @ApiOperationDoc({
    operationId: 'recoverWebhookDeliveries',
    summary: 'Replay every failed delivery since a time',
    description: 'Every failed delivery of the endpoint created at or after `since` becomes pending and is attempted now, with its original `webhook-id`.',
    status: 202,
    type: RecoverAcceptedDto,
    example: { recovered: 3 },
    errors: [400, 404],
  })
  async recover(@Param() params: EndpointParams, @Query() q: RecoverQuery): Promise<RecoverAcceptedDto> {
    return this.deliveries.recover(params.id, new Date(q.since));
  }
}
