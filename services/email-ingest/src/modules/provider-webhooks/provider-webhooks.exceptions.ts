import { DomainError, UnprocessableError } from '@careflow/platform';

/** The provider's secret is not configured: for this installation the route does not exist. */
export class ProviderNotConfiguredError extends DomainError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
  constructor(provider: string, setting: string) {
    super(`Receiving mail from ${provider} is not configured (${setting} is unset)`);
  }
}

export class InvalidWebhookSignatureError extends DomainError {
  readonly status = 401;
  readonly code = 'invalid-signature';
  readonly title = 'Invalid webhook signature';
}

export class StaleWebhookError extends DomainError {
  readonly status = 401;
  readonly code = 'stale-webhook';
  readonly title = 'Webhook timestamp out of range';
  constructor(maxSkewSeconds: number) {
    super(`The timestamp is more than ${maxSkewSeconds} s away from the server's clock`);
  }
}

/** A correctly signed request seen before: a replay (Mailgun signs every attempt with a new token). */
export class ReplayedWebhookError extends DomainError {
  readonly status = 403;
  readonly code = 'replayed-webhook';
  readonly title = 'Webhook already received';
  constructor() {
    super('This token was already used; every Mailgun post carries a new one');
  }
}

export class InvalidWebhookCredentialsError extends DomainError {
  readonly status = 401;
  readonly code = 'invalid-credentials';
  readonly title = 'Missing or invalid webhook credentials';
}

/** The provider posted a format we cannot store as it arrived (parsed fields instead of the raw message). */
export class MissingRawMessageError extends UnprocessableError {}
