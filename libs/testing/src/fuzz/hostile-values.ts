import fc from 'fast-check';
import type { JsonSchema } from './openapi-operations.js';
import { objectWith, RawJson, RawStringBytes } from './raw-json.js';

/*
 * The catalogue of hostile input. Each class here once caused a 500 or silently stored
 * something broken (issue "Hostile input never reaches Postgres"); add to it, never trim it.
 */

/** Postgres text cannot hold U+0000 ("invalid byte sequence"); JSON and URLs can. */
export const NUL_STRINGS = ['\u0000', 'a\u0000b', 'x\u0000', '\u0000\u0000\u0000'];

/** Lone UTF-16 surrogates: valid in a JS string and a JSON escape, not encodable as UTF-8. */
export const LONE_SURROGATES = ['x\ud800y', '\udc00', '\ud83d', 'a\udfffb', '\ud800\ud800'];

/** Strings that trim, slugify or normalise to nothing, and invisible characters. */
export const EMPTY_AFTER_NORMALISING = ['', ' ', '   ', '---', '..', '.', '_', '😀', '\u200b', '\ufeff', '\u200b\u200c\u200d', '\u00a0', '\u3000', '\t', '\n', '\u0301', '\u202e', '\u2028'];

export const CONTROL_CHARACTERS = ['\u0001', '\u001b[31mred', 'a\r\nBcc: victim@example.com', '\r', '\u007f', '\u0085', '\u2029', '\ud83d\ude00\u0000'];

/** Characters that mean something to SQL, tsquery, regexes, templates, paths or case mapping. */
export const SYNTAX_STRINGS = [
  "'", '"', '\\', '%', '_', "' OR '1'='1", '$1', '::text', '(', ')', '*', ':*', '!', '&', '|', '<->', '!!!', 'a & | b', '"unterminated',
  'or', 'NOT', '-', '\\x00', '\\u0000', 'null', 'undefined', 'NaN', 'true', '[]', '{}', '{{x}}', '${x}', '__proto__', 'constructor',
  'prototype', 'toString', 'hasOwnProperty', '../../etc/passwd', '%00', '%2e%2e', '<script>alert(1)</script>', 'İ', 'ß', 'ﬁ', '１２３',
  '١٢٣', 'Ω', 'Đơn hàng', 'a\tb',
];

/** Integers and numbers as a lenient parser reads them, and ones past every integer type's range. */
export const NUMERIC_STRINGS = [
  '0x10', '0b11', '0o7', '1e2', ' 12 ', '-0', '+1', '1e308', '1e309', '-1e309', '9007199254740993', '99999999999999999999', '2147483648',
  '-2147483649', '32768', '99999', '-40000', '01000', '007', '1.5', '.5', '5.', '1_000', 'NaN', 'Infinity', '-Infinity', '0', '-1', '١٢', '１２',
];

/**
 * Timestamps an ISO 8601 validator accepts but `new Date()` or Postgres reject or read
 * differently, impossible calendar dates, and ones beyond either's range.
 */
export const HOSTILE_DATES = [
  '2026', '2026-11', '2026-W48-1', '2026-334', '-2026-01-01', '2026-01-01T00:00:00+23:00', '+2026-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59',
  '2026-01-01T10:00:00,5Z', '20260101T000000Z', '2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z',
  '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-32T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T23:59:60Z', '2026-11-20T08:15:00.1234567890Z',
  '2026-11-20 08:15:00', '2026-11-20T08:15Z', '2026-11-20T08:15:00', '2026-11-20t08:15:00z', '2026-11-20T08:15:00+16:00', '2026-11-20T08:15:00-15:59',
  '2026-11-20T08:15:00+0530', '2026-11-20T08:15:00+99:99', '+275760-09-13T00:00:00Z', '+275760-09-13T00:00:00.001Z', '-271821-04-19T00:00:00Z',
  '294277-01-01T00:00:00Z', '9999-12-31T23:59:59.999999Z', '10000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '1000-01-01T00:00:00Z', '2999-01-01T00:00:00Z',
  'now', 'today', 'infinity', '-infinity', 'epoch', 'allballs', 'Tue, 01 Dec 2026 00:00:00 GMT', '1764547200', '2026-11-20T08:15:00Z\u0000',
  '２０２６-11-20T08:15:00Z', '2026-11-20T08:15:00.Z', '2026-11-20T08:15:00 Z', ' 2026-11-20T08:15:00Z',
];

/** JSON values of the wrong type for almost any field. */
const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 31, 2 ** 53, 1e21, 5e-324, {}, [], [null], [[]], [{}], { a: 1 }, ''];

/** Number literals that lose or change meaning on the way through JSON.parse. */
const RAW_NUMBERS = ['-0', '9007199254740993', '1e999', '-1e999', '123456789012345678901234567890', '1E2', '0.1e1', '1.0', '1e-400'].map((t) => new RawJson(t));

const DEPTH = 10_000;
/** JSON nested 10,000 levels: JSON.parse copes, recursive code after it may not. */
export const DEEP_ARRAY = new RawJson('['.repeat(DEPTH) + ']'.repeat(DEPTH), `[×${DEPTH}]×${DEPTH}`);
export const DEEP_OBJECT = new RawJson('{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH), `{"a":×${DEPTH} 1 }×${DEPTH}`);

/** Long arrays, made once (allocating 300,000 elements per case would cost more than sending them). */
const LONG_ARRAYS = [new Array<number>(50_000).fill(1), new Array<number>(300_000).fill(1)];
const LONG_STRING_ARRAY = new Array<string>(10_000).fill('x');

/** Byte sequences that are not UTF-8: a BOM the wrong way round, an overlong NUL, an encoded surrogate, past U+10FFFF, truncated. */
export const INVALID_UTF8 = [[0xff, 0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xe0, 0x80, 0x80], [0x80]].map((b) => Buffer.from(b));

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

const prototypePollution = fc.constantFrom(
  objectWith([['__proto__', { admin: true, polluted: 1 }]]),
  objectWith([['constructor', { prototype: { polluted: 1 } }]]),
  objectWith([['__proto__', null]]),
  objectWith([['toString', 'x'], ['valueOf', 1]]),
);

/** Sizes around limits: 250, 1 KiB, 64 KiB, and large bodies under and over the 1 MB JSON limit. */
const HUGE_LENGTHS = [251, 256, 1025, 65_537, 100_000, 400_000, 900_000, 1_100_000];

function hugeString(maxLength: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...HUGE_LENGTHS.filter((n) => n <= maxLength)), fc.constantFrom('a', 'ä', '😀', '\u0000', ' '))
    .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));
}

const nastyCharacter = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...NUL_STRINGS, ...LONE_SURROGATES) },
  { weight: 1, arbitrary: fc.constantFrom(...[...EMPTY_AFTER_NORMALISING, ...CONTROL_CHARACTERS].filter((s) => s.length > 0)) },
);

/** A hostile piece inserted into an otherwise good value (NUL in the middle of a real subject). */
function injectedInto(base: string): fc.Arbitrary<string> {
  return fc.tuple(nastyCharacter, fc.nat({ max: Math.max(0, base.length) })).map(([piece, at]) => base.slice(0, at) + piece + base.slice(at));
}

/** `maxLength` bounds the huge ones: a URL or a header cannot carry a megabyte. */
export function hostileString(example?: string, maxLength = Infinity): fc.Arbitrary<string> {
  const base = example ?? 'value';
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NUL_STRINGS) },
    { weight: 3, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
    { weight: 4, arbitrary: injectedInto(base) },
    { weight: 2, arbitrary: fc.constantFrom(...EMPTY_AFTER_NORMALISING) },
    { weight: 2, arbitrary: fc.constantFrom(...CONTROL_CHARACTERS, ...SYNTAX_STRINGS, ...NUMERIC_STRINGS, ...HOSTILE_DATES) },
    { weight: 1, arbitrary: fc.string({ unit: nastyCharacter, minLength: 1, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
    { weight: 1, arbitrary: hugeString(maxLength) },
  );
}

/** Any JSON value a client could send where something else is expected. */
export function hostileJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...WRONG_TYPES) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(...RAW_NUMBERS, DEEP_ARRAY, DEEP_OBJECT) },
    { weight: 1, arbitrary: fc.constantFrom(...INVALID_UTF8).map((b) => new RawStringBytes(b)) },
    { weight: 1, arbitrary: prototypePollution },
    { weight: 1, arbitrary: fc.constantFrom(...LONG_ARRAYS) },
  );
}

const hostileDate = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HOSTILE_DATES) }, { weight: 1, arbitrary: hostileString('2026-11-20T08:15:00Z') });

const hostileNumber = fc.oneof(
  fc.constantFrom<unknown>(-1, 0, 0.5, 1e308, -1e308, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 32_768, 99_999, -40_000, 1e21, 5e-324, ...RAW_NUMBERS),
  fc.constantFrom(...NUMERIC_STRINGS),
);

/** A hostile value shaped by what the field is: bad dates for a date, bad numbers for a number, and so on. */
export function hostileValueFor(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const example = [schema?.example, ...(schema?.enum ?? [])].find((v): v is string => typeof v === 'string');
  const generic = fc.oneof({ weight: 3, arbitrary: hostileString(example) }, { weight: 2, arbitrary: hostileJson() });
  const types = [schema?.type ?? (schema?.properties ? 'object' : undefined)].flat();
  const typed = (arbitrary: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary }, { weight: 2, arbitrary: generic });
  if (schema?.format === 'date-time' || schema?.format === 'date') return typed(hostileDate);
  if (types.includes('number') || types.includes('integer')) return typed(hostileNumber);
  if (types.includes('boolean')) return typed(fc.constantFrom<unknown>('true', 'false', 0, 1, 'yes', '', [true]));
  if (types.includes('array')) return typed(fc.constantFrom<unknown>([[]], [null], [{}], [DEEP_ARRAY], ['\u0000'], ['x\ud800y'], [''], LONG_STRING_ARRAY));
  if (types.includes('object')) return typed(fc.oneof(prototypePollution, fc.constantFrom<unknown>([], 'object', [{}], DEEP_OBJECT)));
  return generic;
}

/** Object keys a server should refuse, not store or act on. */
export const hostileKey: fc.Arbitrary<string> = fc.constantFrom(...PROTOTYPE_KEYS, 'a\u0000b', '\u0000', 'x\ud800', '', ' ', '\u200b', 'k'.repeat(10_000), 'unknownField', '$where', 'a.b', '0');
