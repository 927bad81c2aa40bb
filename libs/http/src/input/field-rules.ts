import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, ValidateBy, ValidateIf, ValidateNested, type ValidationArguments } from 'class-validator';
import { isBlank } from './text-rules.js';
import { parseTimestamp, TIMESTAMP_RULE } from './timestamp.js';

/*
 * Field rules every DTO uses instead of the class-validator decorators that let hostile input
 * through. class-validator's `@IsOptional()` skips a field that is null as well as one that is
 * absent, so `{"priority": null}` used to reach the database; here a field says which it means.
 */

/** The field may be left out; `null` is refused (400 naming the field). */
export function OptionalField(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined),
    ValidateBy({
      name: 'isNotNull',
      validator: {
        validate: (value: unknown) => value !== null,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} must not be null (leave it out instead)`,
      },
    }),
  );
}

/** The field may be left out or be `null`, which clears it. */
export function NullableField(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);
}

/** Text with something visible in it: not only whitespace, zero-width or control characters. */
export function NotBlank(options: { each?: boolean } = {}): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBlank',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !isBlank(value),
        defaultMessage: (args?: ValidationArguments) => (options.each ? `each value in ${args?.property} must not be blank` : `${args?.property} must not be blank`),
      },
    },
    { each: options.each },
  );
}

/**
 * A date-time under the API's one timestamp rule (timestamp.ts), normalised to its UTC ISO form
 * (`2026-11-20T01:15:00.000Z`) before anything else sees it. `maxFutureSeconds` bounds how far
 * ahead of now it may be (clock skew, not the year 9999).
 */
export function IsTimestamp(options: { maxFutureSeconds?: number } = {}): PropertyDecorator {
  const tooFar = (date: Date) => options.maxFutureSeconds !== undefined && date.getTime() > Date.now() + options.maxFutureSeconds * 1000;
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => parseTimestamp(value)?.toISOString() ?? value),
    ValidateBy({
      name: 'isTimestamp',
      validator: {
        validate: (value: unknown) => {
          const date = parseTimestamp(value);
          return date !== null && !tooFar(date);
        },
        defaultMessage: (args?: ValidationArguments) => {
          const date = parseTimestamp(args?.value);
          return date && tooFar(date)
            ? `${args?.property} must not be more than ${formatSeconds(options.maxFutureSeconds!)} in the future`
            : `${args?.property} must be ${TIMESTAMP_RULE}`;
        },
      },
    }),
  );
}

/**
 * An array of objects of one class, at most `maxItems` long. `@ValidateNested({ each: true })`
 * alone accepts arrays of arrays (validating their items one level down), so `[[item, item]]`
 * was stored and `[[10 000 items]]` passed a limit of 500; each element must be an object here.
 */
export function ArrayOfObjects(type: () => Function, options: { maxItems: number }): PropertyDecorator {
  return applyDecorators(
    IsArray(),
    ArrayMaxSize(options.maxItems),
    IsObject({ each: true, message: ({ property }) => `each item of ${property} must be an object` }),
    ValidateNested({ each: true }),
    Type(type),
  );
}

/**
 * An integer from a query string: decimal digits only. `@Type(() => Number)` took `0x10`,
 * `0b11`, `1e2` and ` 12 ` as numbers; anything else stays a string and fails `@IsInt()`.
 */
export function QueryInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value));
}

function formatSeconds(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${seconds} s`;
}
