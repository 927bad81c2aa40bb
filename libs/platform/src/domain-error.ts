import type { FieldError } from './validation-errors.js';

/**
 * An error a client caused or can act on. Services throw subclasses with a stable `code`; the
 * HTTP layer's problem filter maps them to problem+json in one place. Anything that is not a
 * DomainError (or a Nest HttpException) reaching the filter is a bug and becomes a 500. It
 * lives below persistence and HTTP so that repositories, which know no HTTP, can throw it.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  abstract readonly title: string;
  readonly errors?: FieldError[];
  readonly extensions: Record<string, unknown> = {};

  constructor(readonly detail?: string) {
    super(detail);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
  constructor(resource: string, id: string) {
    super(`${resource} ${JSON.stringify(id)} does not exist`);
  }
}

/** The request is well-formed but names something that does not fit (422). */
export class UnprocessableError extends DomainError {
  readonly status = 422;
  readonly code = 'unprocessable';
  readonly title = 'Unprocessable request';
  override readonly errors: FieldError[];
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.errors = [{ field, message }];
  }
}

/** The resource is not in a state that allows the change (409). */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}
