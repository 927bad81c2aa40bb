import { WebhookEventType } from '@careflow/contracts';
import { NotBlank, NullableField, OptionalField, PageDto } from '@careflow/http';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import type { WebhookEndpointRecord } from '../webhook-endpoint.record.js';
import { WebhookEventsField } from './webhook-events-field.js';
import { IsWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from './webhook-url.js';

export const MAX_RATE_LIMIT = 10_000;
const EVENT_NAMES = [...WebhookEventType, '*'];

const URL_DOC: ApiPropertyOptions = {
  example: 'https://shop.example/hooks/careflow',
  maxLength: MAX_WEBHOOK_URL_LENGTH,
  description:
    'Where events are POSTed: http or https, without credentials or fragment. Addresses on loopback, private, link-local, CGNAT, ' +
    'multicast or cloud metadata networks are refused (400 `webhook-url-not-allowed`) unless the installation allows them (WEBHOOK_ALLOW_PRIVATE_URLS).',
};
const EVENTS_DOC: ApiPropertyOptions = {
  enum: EVENT_NAMES, enumName: 'WebhookSubscriptionEvent',
  isArray: true,
  example: ['ticket.created', 'ticket.solved'],
  description: 'Event names from GET /v1/webhook-events, or `["*"]` for every event (including those added later). Unique, at least one.',
};
const RATE_LIMIT_DOC: ApiPropertyOptions = { type: 'integer', minimum: 1, maximum: MAX_RATE_LIMIT, example: 50, nullable: true, description: 'At most this many deliveries per second to this endpoint; null: no limit of its own.' };

@ApiSchema({ name: 'CreateWebhookEndpointRequest' })
export class CreateWebhookEndpointDto {
  @ApiProperty(URL_DOC)
  @IsWebhookUrl()
  url!: string;

  @ApiProperty(EVENTS_DOC)
  @WebhookEventsField()
  events!: string[];

  @ApiPropertyOptional({ type: String, example: 'Order system (production)', maxLength: 500, nullable: true })
  @NullableField()
  @IsString()
  @MaxLength(500)
  @NotBlank()
  description?: string | null;

  @ApiPropertyOptional(RATE_LIMIT_DOC)
  @NullableField()
  @IsInt()
  @Min(1)
  @Max(MAX_RATE_LIMIT)
  rateLimit?: number | null;
}

/** Fields left out stay as they are; `null` clears `description` and `rateLimit`. */
@ApiSchema({ name: 'UpdateWebhookEndpointRequest' })
export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional(URL_DOC)
  @OptionalField()
  @IsWebhookUrl()
  url?: string;

  @ApiPropertyOptional(EVENTS_DOC)
  @OptionalField()
  @WebhookEventsField()
  events?: string[];

  @ApiPropertyOptional({ type: String, example: 'Order system (production)', maxLength: 500, nullable: true })
  @NullableField()
  @IsString()
  @MaxLength(500)
  @NotBlank()
  description?: string | null;

  @ApiPropertyOptional(RATE_LIMIT_DOC)
  @NullableField()
  @IsInt()
  @Min(1)
  @Max(MAX_RATE_LIMIT)
  rateLimit?: number | null;

  @ApiPropertyOptional({
    example: true,
    description: '`true` re-enables an endpoint disabled after sustained failures (or a 410): its failure history is cleared. `false` pauses deliveries.',
  })
  @OptionalField()
  @IsBoolean()
  enabled?: boolean;
}

@ApiSchema({ name: 'WebhookEndpoint' })
export class WebhookEndpointDto {
  @ApiProperty({ format: 'uuid', example: '5b8f0f5e-2f51-4c8e-9a7d-3c1d2e4f6a80' }) id!: string;
  @ApiProperty({ example: 'https://shop.example/hooks/careflow' }) url!: string;
  @ApiProperty({ type: [String], example: ['ticket.created', 'ticket.solved'], description: 'Subscribed event names, or `["*"]`.' }) events!: string[];
  @ApiProperty({ type: String, nullable: true, example: 'Order system (production)' }) description!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 50, description: 'Deliveries per second at most; null: no limit of its own.' }) rateLimit!: number | null;
  @ApiProperty({ example: true, description: 'False while disabled (by a PATCH, a 410 answer, or failures for too long).' }) enabled!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null }) disabledAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why deliveries stopped, e.g. `manual`, `gone` (the endpoint answered 410), `failing`.' }) disabledReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null, description: 'Since when every delivery has failed; null after a success.' }) failingSince!: string | null;
  @ApiProperty({ type: 'integer', example: 1, description: 'Increases with every change.' }) version!: number;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T09:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T09:00:00.000Z' }) updatedAt!: string;

  static from(e: WebhookEndpointRecord): WebhookEndpointDto {
    return {
      id: e.id,
      url: e.url,
      events: e.events,
      description: e.description,
      rateLimit: e.rateLimit,
      enabled: e.enabled,
      disabledAt: e.disabledAt?.toISOString() ?? null,
      disabledReason: e.disabledReason,
      failingSince: e.failingSince?.toISOString() ?? null,
      version: e.version,
      createdAt: e.createdAt.toISOString(),
      updatedAt: e.updatedAt.toISOString(),
    };
  }
}

@ApiSchema({ name: 'CreatedWebhookEndpoint' })
export class CreatedWebhookEndpointDto extends WebhookEndpointDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks): shown only here and by rotate-secret. Store it to verify `webhook-signature`.',
  })
  secret!: string;
}

@ApiSchema({ name: 'RotatedSecret' })
export class RotatedSecretDto {
  @ApiProperty({ example: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', description: 'The new signing secret, shown only here.' }) secret!: string;
  @ApiProperty({
    format: 'date-time',
    example: '2026-12-02T09:00:00.000Z',
    description: 'Until then every delivery is signed with the old secret as well (two signatures in `webhook-signature`), so receivers can switch without losing messages.',
  })
  previousSecretExpiresAt!: string;
}

@ApiSchema({ name: 'TestMessageAccepted' })
export class TestMessageAcceptedDto {
  @ApiProperty({ example: 'msg_01KBF3Z7C2Q4V0N8H6M5T9R1XW', description: 'The `webhook-id` the test message is sent with; its delivery is in GET /v1/webhooks/{id}/deliveries.' })
  messageId!: string;
}

@ApiSchema({ name: 'WebhookEndpointPage' })
export class WebhookEndpointPageDto extends PageDto {
  @ApiProperty({ type: [WebhookEndpointDto] }) data!: WebhookEndpointDto[];
}

export const WEBHOOK_ENDPOINT_EXAMPLE: WebhookEndpointDto = {
  id: '5b8f0f5e-2f51-4c8e-9a7d-3c1d2e4f6a80',
  url: 'https://shop.example/hooks/careflow',
  events: ['ticket.created', 'ticket.solved'],
  description: 'Order system (production)',
  rateLimit: 50,
  enabled: true,
  disabledAt: null,
  disabledReason: null,
  failingSince: null,
  version: 1,
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:00:00.000Z',
};
