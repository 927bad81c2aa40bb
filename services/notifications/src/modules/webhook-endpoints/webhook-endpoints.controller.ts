import { ApiOperationDoc, PageQuery, RequireScopes, UuidParam, type Page } from '@careflow/http';
import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  RotatedSecretDto,
  TestMessageAcceptedDto,
  UpdateWebhookEndpointDto,
  WEBHOOK_ENDPOINT_EXAMPLE,
  WebhookEndpointDto,
  WebhookEndpointPageDto,
} from './dto/webhook-endpoint.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

const URL_REFUSED = 'A field is invalid (`errors` names it): a URL that is not http(s), has credentials or a fragment, or points to a private network (`webhook-url-not-allowed`); an unknown event name.';

@ApiTags('Webhook endpoints')
@Controller('v1/webhooks')
@RequireScopes('webhooks:manage')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperationDoc({
    operationId: 'createWebhookEndpoint',
    problems: ['webhook-url-not-allowed'],
    summary: 'Subscribe an endpoint to events',
    description:
      'Careflow POSTs each subscribed event to `url`, signed per Standard Webhooks with the returned `secret` (shown only here: store it). ' +
      'See GET /v1/webhook-events for the event names and their payloads.',
    status: 201,
    type: CreatedWebhookEndpointDto,
    example: { ...WEBHOOK_ENDPOINT_EXAMPLE, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    errors: [400, 413],
    errorDescriptions: { 400: URL_REFUSED },
  })
  async create(@Body() body: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointDto> {
    const { endpoint, secret } = await this.endpoints.create(body);
    return { ...WebhookEndpointDto.from(endpoint), secret };
  }

  @Get()
  @ApiOperationDoc({
    operationId: 'listWebhookEndpoints',
    summary: 'List webhook endpoints',
    description: 'Newest first. Secrets are never listed.',
    status: 200,
    type: WebhookEndpointPageDto,
    example: { data: [WEBHOOK_ENDPOINT_EXAMPLE], nextCursor: null },
    errors: [400],
  })
  async list(@Query() query: PageQuery): Promise<Page<WebhookEndpointDto>> {
    const page = await this.endpoints.list(query.limit, query.cursor);
    return { data: page.data.map((e) => WebhookEndpointDto.from(e)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperationDoc({
    operationId: 'getWebhookEndpoint',
    summary: 'Get a webhook endpoint',
    status: 200,
    type: WebhookEndpointDto,
    example: WEBHOOK_ENDPOINT_EXAMPLE,
    errors: [400, 404],
  })
  async get(@Param() params: UuidParam): Promise<WebhookEndpointDto> {
    return WebhookEndpointDto.from(await this.endpoints.get(params.id));
  }

  @Patch(':id')
  @ApiOperationDoc({
    operationId: 'updateWebhookEndpoint',
    problems: ['webhook-url-not-allowed'],
    summary: 'Change a webhook endpoint, or re-enable it',
    description:
      'Fields left out stay as they are; `null` clears `description` and `rateLimit`. `enabled: true` re-enables an endpoint that was disabled ' +
      '(after failing for too long, or answering 410) and clears its failure history; `enabled: false` pauses it. Each change increases `version`.',
    status: 200,
    type: WebhookEndpointDto,
    example: { ...WEBHOOK_ENDPOINT_EXAMPLE, version: 2, updatedAt: '2026-12-01T10:00:00.000Z' },
    errors: [400, 404, 413],
    errorDescriptions: { 400: URL_REFUSED },
  })
  async update(@Param() params: UuidParam, @Body() body: UpdateWebhookEndpointDto): Promise<WebhookEndpointDto> {
    return WebhookEndpointDto.from(await this.endpoints.update(params.id, body));
  }

  @Delete(':id')
  @ApiOperationDoc({
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete a webhook endpoint',
    description: 'No further deliveries are made to it; its delivery log goes with it.',
    status: 204,
    errors: [400, 404],
  })
  async delete(@Param() params: UuidParam): Promise<void> {
    await this.endpoints.delete(params.id);
  }

  @Post(':id/rotate-secret')
  @ApiOperationDoc({
    operationId: 'rotateWebhookSecret',
    summary: 'Rotate an endpoint\'s signing secret',
    description:
      'Returns a new secret (shown only here). For 24 hours every delivery carries two signatures in `webhook-signature`, one per secret, so the receiver ' +
      'can switch to the new secret at its own pace: the `standardwebhooks` libraries accept a message when any signature matches. ' +
      'Rotating again within the 24 hours ends the older secret\'s overlap at once.',
    status: 200,
    type: RotatedSecretDto,
    example: { secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', previousSecretExpiresAt: '2026-12-02T09:00:00.000Z' },
    errors: [400, 404],
  })
  async rotateSecret(@Param() params: UuidParam): Promise<RotatedSecretDto> {
    const { secret, previousSecretExpiresAt } = await this.endpoints.rotateSecret(params.id);
    return { secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
  }

  @Post(':id/test')
  @ApiOperationDoc({
    operationId: 'testWebhookEndpoint',
    problems: ['webhook-endpoint-disabled'],
    summary: 'Send a test message to an endpoint',
    description:
      'Sends a `webhook.test` message to this endpoint only, whatever events it subscribes to, signed and retried like any other message. ' +
      'Follow it in GET /v1/webhooks/{id}/deliveries. 409 when the endpoint is disabled.',
    status: 202,
    type: TestMessageAcceptedDto,
    example: { messageId: 'msg_01KBF3Z7C2Q4V0N8H6M5T9R1XW' },
    errors: [400, 404],
  })
  async sendTest(@Param() params: UuidParam): Promise<TestMessageAcceptedDto> {
    return this.endpoints.sendTest(params.id);
  }
}
