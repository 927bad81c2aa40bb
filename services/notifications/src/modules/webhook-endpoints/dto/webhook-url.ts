import { ValidateBy, type ValidationArguments } from 'class-validator';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * What is wrong with a webhook URL as text, or null: an absolute http(s) URL with a host, no
 * credentials (they would be stored and logged as part of the URL; put a token in the path or
 * verify the signature instead), no fragment (never sent to a server). Where it points is the
 * SSRF guard's question (ssrf-guard.ts), asked after this one.
 */
export function webhookUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'url must be a string';
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'url must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must be an http or https URL';
  if (!url.hostname) return 'url must have a host';
  if (url.username || url.password) return 'url must not contain credentials (user:password@)';
  if (value.includes('#')) return 'url must not contain a fragment (#…)';
  return null;
}

export function IsWebhookUrl(): PropertyDecorator {
  return ValidateBy({
    name: 'isWebhookUrl',
    validator: {
      validate: (value: unknown) => webhookUrlProblem(value) === null,
      defaultMessage: (args?: ValidationArguments) => webhookUrlProblem(args?.value) ?? 'url is not a webhook URL',
    },
  });
}
