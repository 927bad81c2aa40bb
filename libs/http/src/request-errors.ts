import type { FieldError } from '@careflow/platform';
import { DomainError } from '@careflow/platform';

/** Input that fails validation (400), with one entry per field. */
export class RequestValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation-error';
  readonly title = 'Request validation failed';
  override readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.errors = errors;
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
  constructor(received: string | undefined, accepted: readonly string[]) {
    super(`Content-Type ${received ?? '(none)'} is not accepted here; send ${accepted.join(' or ')}`);
  }
}
