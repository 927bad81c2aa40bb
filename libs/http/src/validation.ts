import { flattenValidationErrors } from '@careflow/platform';
import { ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from './domain-error.js';

/**
 * Validation of every DTO: unknown fields are rejected (not silently dropped), primitives
 * are converted from path and query strings, and errors name their dotted field path.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    // One message per field: the first constraint that fails says what is wrong.
    stopAtFirstError: true,
    exceptionFactory: (errors) => new RequestValidationError(flattenValidationErrors(errors)),
  });
}
