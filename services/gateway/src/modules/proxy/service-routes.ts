/** The backend services behind the gateway. */
export const SERVICES = ['tickets', 'email-ingest', 'notifications', 'segmentation'] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Which service owns which public path. First match wins, so the more specific rules come
 * first. A test checks every path each service documents against this table.
 */
const ROUTES: ReadonlyArray<{ pattern: RegExp; service: ServiceName }> = [
  { pattern: /^\/v1\/customers\/[^/]+\/tickets\/?$/, service: 'tickets' },
  { pattern: /^\/v1\/(tickets|groups|agents|sla-policies)(\/|$)/, service: 'tickets' },
  { pattern: /^\/v1\/inbound(\/|$)/, service: 'email-ingest' },
  { pattern: /^\/v1\/(orders|shipments|notifications|webhooks)(\/|$)/, service: 'notifications' },
  { pattern: /^\/v1\/(customers|segments)(\/|$)/, service: 'segmentation' },
];

export function serviceFor(path: string): ServiceName | undefined {
  return ROUTES.find((r) => r.pattern.test(path))?.service;
}

/**
 * Whether a request is for the one route whose body is a whole e-mail (POST
 * /v1/inbound/email, up to EMAIL_BODY_LIMIT). Decided by method and path, never by the
 * Content-Type a client chooses: every other route is held to JSON_BODY_LIMIT.
 */
export function takesEmailBody(method: string | undefined, path: string): boolean {
  return method === 'POST' && /^\/v1\/inbound\/email\/?$/.test(path);
}

/**
 * Routes a mail provider calls (Mailgun, Postmark): they cannot send a Careflow API key, so
 * the gateway lets exactly these through without one (rate-limited per client address, body
 * up to EMAIL_BODY_LIMIT, no Idempotency-Key) and the service checks the provider's own
 * credentials. Decided by method and path alone, like takesEmailBody.
 */
const PROVIDER_WEBHOOKS: readonly RegExp[] = [/^\/v1\/inbound\/providers\/mailgun(\/mime)?\/?$/, /^\/v1\/inbound\/providers\/postmark\/?$/];

export function isProviderWebhook(method: string | undefined, path: string): boolean {
  return method === 'POST' && PROVIDER_WEBHOOKS.some((pattern) => pattern.test(path));
}
