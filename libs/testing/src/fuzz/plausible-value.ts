import fc from 'fast-check';
import type { JsonSchema } from './openapi-operations.js';

/**
 * A value a well-behaved client might send for the schema: the documented example most of
 * the time (examples carry what a schema cannot say: a real currency code, an e-mail that
 * passes the validator), otherwise one generated from the type, enum, format and bounds.
 */
export function plausibleValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const examples = examplesOf(schema);
  const generated = fromType(schema, plausibleValue);
  if (examples.length === 0) return generated;
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...examples) }, { weight: 1, arbitrary: generated });
}

/**
 * A value that should pass validation: the examples wherever the schema has them, generated
 * values only where it has none. Hostile mutations start from here, so that everything but
 * the mutated part is valid and the request gets as far as the mutated part lets it.
 */
export function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const examples = examplesOf(schema);
  return examples.length > 0 ? fc.constantFrom(...examples) : fromType(schema, validValue);
}

/** Top-level fields that name the resource a request creates: its example names one that exists by now. */
const IDENTITY_FIELDS = new Set(['id', 'key', 'externalId', 'eventId']);

/**
 * A valid body: as `validValue`, except that an identity field (`key`, `externalId`, …) is
 * sometimes a fresh variant of its example, so that creating requests do not all collide
 * with the row the example names (a 409 before any of the rest is looked at).
 */
export function validBodyValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const identities = Object.entries(schema.properties ?? {}).filter(([name, s]) => IDENTITY_FIELDS.has(name) && typeof s.example === 'string');
  if (identities.length === 0) return validValue(schema);
  const fresh = fc.noShrink(fc.noBias(fc.nat({ max: 999_999_999 })));
  return fc.tuple(validValue(schema), ...identities.map(() => fc.option(fresh, { freq: 2 }))).map(([value, ...suffixes]) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const copy: Record<string, unknown> = { ...value };
    identities.forEach(([name, s], i) => {
      if (suffixes[i] !== null && name in copy) copy[name] = `${s.example as string}_${suffixes[i]}`;
    });
    return copy;
  });
}

function examplesOf(schema: JsonSchema): unknown[] {
  return [...(schema.example !== undefined ? [schema.example] : []), ...(schema.examples ?? [])];
}

type ValueOf = (schema: JsonSchema) => fc.Arbitrary<unknown>;

function fromType(schema: JsonSchema, valueOf: ValueOf): fc.Arbitrary<unknown> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants?.length) return fc.oneof(...variants.map(valueOf));
  if (schema.allOf?.length) return valueOf(Object.assign({}, ...schema.allOf) as JsonSchema);
  const types = [schema.type ?? (schema.properties ? 'object' : 'string')].flat();
  const nonNull = types.filter((t) => t !== 'null');
  const value = nonNull.length > 0 ? fc.oneof(...nonNull.map((t) => ofType(t, schema, valueOf))) : fc.constant(null);
  return types.includes('null') || schema.nullable ? fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }) : value;
}

function ofType(type: string, schema: JsonSchema, valueOf: ValueOf): fc.Arbitrary<unknown> {
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valueOf(s)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties), noNullPrototype: true });
    }
    case 'array': {
      const item = valueOf(schema.items ?? {});
      return fc.array(item, { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'integer':
    case 'number':
      return fc.integer({ min: Math.ceil(schema.minimum ?? 0), max: Math.floor(Math.min(schema.maximum ?? 100_000, 100_000)) });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return plausibleString(schema);
    default:
      return fc.constant(null);
  }
}

function plausibleString(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'date-time':
      return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.stringMatching(/^[a-z][a-z0-9.]{0,15}@example\.(com|org)$/);
    case 'uuid':
      return fc.uuid();
    case 'uri':
      return fc.webUrl();
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 1;
  return fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 40, 40)) });
}
