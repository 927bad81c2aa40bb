import type { HttpAppOptions } from '@careflow/http';

export const MAILGUN_PATH = '/v1/inbound/providers/mailgun';
export const POSTMARK_PATH = '/v1/inbound/providers/postmark';
export const MAILGUN_FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'];

/**
 * How the provider routes' bodies are read (main.ts passes this to the HTTP layer): a whole
 * message each, so up to EMAIL_BODY_LIMIT where every other JSON route keeps the 1 MB limit.
 * Mailgun's form is kept as bytes (parsed here, byte-exact); Postmark's JSON is parsed.
 */
export function providerWebhookBodies(emailBodyLimit: string): NonNullable<HttpAppOptions['routeBodies']> {
  return [
    { path: MAILGUN_PATH, types: MAILGUN_FORM_TYPES, limit: emailBodyLimit, parse: 'raw' },
    { path: `${MAILGUN_PATH}/mime`, types: MAILGUN_FORM_TYPES, limit: emailBodyLimit, parse: 'raw' },
    { path: POSTMARK_PATH, types: ['application/json'], limit: emailBodyLimit, parse: 'json' },
  ];
}
