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

/**
 * The problems particular to some routes, which a route declares with ApiOperationDoc's
 * `problems` so its document shows each with its own example. The contract test fails when a
 * feature throws one of these that none of its routes declares.
 */
export const ROUTE_PROBLEMS = {
  'invalid-transition': { status: 409, title: 'Status change not allowed', detail: 'A ticket cannot go from closed to open', extra: { from: 'closed', to: 'open' } },
  'ticket-closed': { status: 409, title: 'The ticket is closed', detail: 'Ticket #1042 is closed; the customer\'s reply opens a follow-up', extra: {} },
  'group-exists': { status: 409, title: 'A group with this key exists', detail: 'group billing already exists', extra: {} },
  'address-taken': { status: 409, title: 'Inbound address already routes to another group', detail: 'billing@shop.test already routes to group billing', extra: { address: 'billing@shop.test', group: 'billing' } },
  'mailbox-exists': { status: 409, title: 'This folder of this account is registered already', detail: 'INBOX of support@shop.test on imap.shop.test is registered already', extra: {} },
  'mailbox-encryption-key-missing': { status: 409, title: 'Mailbox credentials cannot be stored', detail: 'Set MAILBOX_ENCRYPTION_KEY to store mailbox credentials', extra: {} },
  'shipment-exists': { status: 409, title: 'This tracking number is already recorded for the carrier', detail: 'ghn GHN123456789 is shipment 0b6f3f3e-5d0e-4a1b-9a43-6c2d8f1e7a55', extra: { shipmentId: '0b6f3f3e-5d0e-4a1b-9a43-6c2d8f1e7a55' } },
  'webhook-endpoint-disabled': { status: 409, title: 'Conflict', detail: 'The endpoint is disabled; re-enable it (PATCH enabled: true) before testing it', extra: {} },
  'webhook-url-not-allowed': { status: 400, title: 'Webhook URL not allowed', detail: 'url resolves to a private address', extra: {} },
  'webhook-catalogue-incomplete': { status: 503, title: 'Webhook catalogue incomplete', detail: 'The notifications service did not answer; its events are missing', extra: {} },
  'invalid-credentials': { status: 401, title: 'Missing or invalid webhook credentials', detail: 'The provider\'s credentials do not match', extra: {} },
  'invalid-signature': { status: 401, title: 'Invalid webhook signature', detail: 'The signature does not match the provider\'s signing key', extra: {} },
  'stale-webhook': { status: 401, title: 'Webhook timestamp out of range', detail: 'The timestamp is more than 5 minutes from now', extra: {} },
  'replayed-webhook': { status: 403, title: 'Webhook already received', detail: 'This signed post was received before', extra: {} },
} as const satisfies Partial<Record<ProblemCode, { status: number; title: string; detail: string; extra: Record<string, unknown> }>>;
export type RouteProblem = keyof typeof ROUTE_PROBLEMS;
