/**
 * Every `code` a problem+json answer of the API can carry, documented as the `ProblemCode`
 * enum. A unit spec reads the sources for the codes domain errors declare and fails on one
 * missing here, so the list cannot fall behind the code.
 */
export const PROBLEM_CODES = [
  // Request shape and HTTP (the shared filter, the gateway's body reader, Node's parser).
  'validation-error',
  'malformed-json',
  'unreadable-body',
  'bad-request',
  'not-found',
  'method-not-allowed',
  'request-timeout',
  'payload-too-large',
  'unsupported-media-type',
  'header-fields-too-large',
  'http-error',
  'internal',
  'bad-gateway',
  'gateway-timeout',
  'unavailable',
  // Access (the gateway).
  'unauthorized',
  'forbidden',
  'rate-limited',
  'authentication-rate-limited',
  'internal-token-required',
  // Idempotency-Key (the gateway).
  'idempotency-key-in-flight',
  'idempotency-key-reused',
  // Services behind the gateway.
  'service-unavailable',
  'upstream-timeout',
  // Generic domain answers.
  'conflict',
  'unprocessable',
  // Tickets.
  'invalid-transition',
  'ticket-closed',
  'group-exists',
  'address-taken',
  // Orders and shipments.
  'shipment-exists',
  // Inbound e-mail.
  'mailbox-exists',
  'mailbox-encryption-key-missing',
  'invalid-signature',
  'invalid-credentials',
  'invalid-recipient',
  'replayed-webhook',
  'stale-webhook',
  // Webhook endpoints.
  'webhook-url-not-allowed',
  'webhook-endpoint-disabled',
  'webhook-catalogue-incomplete',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];
