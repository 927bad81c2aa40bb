import { DomainError } from '@careflow/platform';

/** A service did not publish its document, so the catalogue would miss its events: retry rather than read half of it. */
export class WebhookCatalogueIncompleteError extends DomainError {
  readonly status = 503;
  readonly code = 'webhook-catalogue-incomplete';
  readonly title = 'Webhook catalogue incomplete';
  constructor(missing: readonly string[]) {
    super(`The ${missing.join(', ')} service(s) did not answer; their events would be missing. Retry shortly.`);
  }
}
