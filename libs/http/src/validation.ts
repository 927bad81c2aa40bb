import type { FieldError } from '@careflow/platform';
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { RequestValidationError } from './request-errors.js';
import { inputShapeProblem } from './input/input-shape.js';

/**
 * The constraint that says what is most fundamentally wrong with a field comes first: a string
 * quantity is reported as "must be an integer", not as "must not be greater than 100000"
 * (class-validator runs a property's constraints in an order that depends on how the
 * decorators were stacked).
 */
const FUNDAMENTAL = [
  'whitelistValidation',
  'isNotNull',
  'isDefined',
  'isArray',
  'isObject',
  'nestedValidation',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isIn',
  'isEnum',
];

/** One entry per field, dotted paths, the most fundamental constraint's message. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = Object.entries(error.constraints ?? {});
    const rank = (name: string) => (FUNDAMENTAL.includes(name) ? FUNDAMENTAL.indexOf(name) : FUNDAMENTAL.length);
    const primary = constraints.sort(([a], [b]) => rank(a) - rank(b))[0];
    const own = primary ? [{ field, message: primary[1] }] : [];
    // A field that is itself wrong (not an array, not an object) has no children worth reporting.
    return own.length > 0 ? own : fieldErrors(error.children ?? [], field);
  });
}

/**
 * Validation of every DTO: the raw input's shape first (nesting depth, NUL and unpaired
 * surrogates in any string or key: input-shape.ts), before class-transformer walks it; then the
 * DTO, with unknown fields rejected (not silently dropped) and errors naming their dotted path.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new RequestValidationError(fieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const problem = inputShapeProblem(value, metadata.data ?? '');
      if (problem) throw new RequestValidationError([problem]);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe();
}
