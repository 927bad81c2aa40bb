import type { Type } from '@nestjs/common';
import { getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';

export interface WebhookEventDoc {
  /** Event name, e.g. `ticket.created`. */
  type: string;
  summary: string;
  description: string;
  /** The envelope class documenting `{ type, timestamp, data }` for this event. */
  schema: Type<unknown>;
  example: unknown;
}

/**
 * OpenAPI 3.1 `webhooks` entries: what Careflow POSTs to a subscribed endpoint for each event,
 * signed per Standard Webhooks (headers webhook-id, webhook-timestamp, webhook-signature).
 */
export function webhookDocs(events: WebhookEventDoc[]): NonNullable<OpenAPIObject['webhooks']> {
  const headers = {
    'webhook-id': { required: true, description: 'Unique message id; the same on every retry (use it to deduplicate).', schema: { type: 'string' }, example: 'msg_2f1c7a5e0b8d4a39' },
    'webhook-timestamp': { required: true, description: 'Seconds since the epoch when the message was sent; reject old ones.', schema: { type: 'string' }, example: '1763890200' },
    'webhook-signature': { required: true, description: '`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with the endpoint secret.', schema: { type: 'string' }, example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' },
  };
  return Object.fromEntries(
    events.map((e) => [
      e.type,
      {
        post: {
          operationId: `webhook_${e.type.replace(/[^a-z0-9]+/gi, '_')}`,
          summary: e.summary,
          description: e.description,
          tags: ['Webhooks'],
          security: [],
          parameters: Object.entries(headers).map(([name, h]) => ({ name, in: 'header' as const, ...h })),
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: getSchemaPath(e.schema) }, example: e.example } } },
          responses: {
            '200': { description: 'Any 2xx acknowledges the delivery; anything else (or no answer in time) is retried with backoff.' },
          },
        },
      },
    ]),
  );
}
