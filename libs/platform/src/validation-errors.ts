import type { ValidationError } from 'class-validator';

export interface FieldError {
  /** Dotted path of the offending field: `customer.email`, `items.0.sku`. */
  field: string;
  message: string;
}

/** Flattens class-validator's nested errors into one entry per failed constraint. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return own.concat(flattenValidationErrors(error.children ?? [], field));
  });
}
