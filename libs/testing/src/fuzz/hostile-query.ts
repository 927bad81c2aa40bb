import fc from 'fast-check';
import { hostileCursor } from './hostile-cursor.js';
import { HOSTILE_DATES, hostileString, NUMERIC_STRINGS } from './hostile-values.js';
import type { ApiParameter } from './openapi-operations.js';
import { plausibleValue } from './plausible-value.js';
import { EncodedUrlText, MAX_URL_PART, percentEncode, RAW_URL_PIECES, type UrlText } from './url-text.js';

type QueryPair = readonly [UrlText, UrlText | undefined];

/** A query value shaped by its parameter: bad dates for a date, bad numbers for a number. */
function hostileQueryValue(param: ApiParameter, realCursors: readonly string[]): fc.Arbitrary<UrlText> {
  if (param.name === 'cursor') return hostileCursor(realCursors);
  const example = param.schema.example === undefined ? undefined : String(param.schema.example);
  const types = [param.schema.type].flat();
  const typed: UrlText[] =
    param.schema.format === 'date-time' || param.schema.format === 'date' ? HOSTILE_DATES : types.includes('number') || types.includes('integer') ? NUMERIC_STRINGS : [];
  return fc
    .oneof(
      ...(typed.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...typed) }] : []),
      { weight: 4, arbitrary: hostileString(example, 3_000) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_PIECES) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_PIECES).map((p) => new EncodedUrlText(`${percentEncode(example ?? 'x')}${p.text}`)) },
    )
    .filter((v) => percentEncode(v).length <= MAX_URL_PART);
}

/** A declared parameter as a good client sends it: left out, or a plausible value (a real cursor for `cursor`). */
function plausiblePair(param: ApiParameter, realCursors: readonly string[]): fc.Arbitrary<QueryPair[]> {
  const value =
    param.name === 'cursor'
      ? realCursors.length > 0 ? fc.constantFrom(...realCursors) : undefined
      : plausibleValue(param.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (!value) return fc.constant<QueryPair[]>([]);
  const present = value.map((v) => [[param.name, v] as QueryPair]);
  return param.required ? present : fc.oneof({ weight: 3, arbitrary: fc.constant<QueryPair[]>([]) }, { weight: 2, arbitrary: present });
}

function hostilePair(param: ApiParameter, realCursors: readonly string[]): fc.Arbitrary<QueryPair[]> {
  const hostile = hostileQueryValue(param, realCursors);
  return fc.oneof(
    { weight: 6, arbitrary: hostile.map((v) => [[param.name, v] as QueryPair]) },
    // Twice: most parsers make an array of it, which a string-typed DTO field does not expect.
    { weight: 1, arbitrary: fc.tuple(hostile, plausiblePair(param, realCursors)).map(([v, other]) => [[param.name, v] as QueryPair, ...other]) },
  );
}

/** Parameters nobody declared: unknown names, bracket syntax that builds objects, prototype keys. */
const raw = (name: string) => new EncodedUrlText(name);
const undeclared: fc.Arbitrary<QueryPair> = fc.constantFrom<QueryPair>(
  ['unknown', 'x'], [raw('limit[]'), '1'], [raw('cursor[a]'), 'b'], [raw('__proto__[polluted]'), '1'], [raw('constructor[prototype][polluted]'), '1'],
  ['__proto__', 'x'], ['a\u0000b', '1'], ['', 'x'], ['limit', undefined], [raw('%'), 'x'], [raw('q%FF'), 'x'], [raw('status[]'), 'new'], [raw('sort[0]'), 'x'],
  [raw(`a${'[a]'.repeat(1_000)}`), 'x'],
);

function encode(pairs: readonly QueryPair[]): string {
  return pairs.map(([name, value]) => (value === undefined ? percentEncode(name) : `${percentEncode(name)}=${percentEncode(value)}`)).join('&');
}

/** A query string (without `?`) a good client might send: declared parameters left out or plausible. */
export function plausibleQuery(params: readonly ApiParameter[], realCursors: readonly string[] = []): fc.Arbitrary<string> {
  return fc.tuple(...params.map((p) => plausiblePair(p, realCursors))).map((pairs) => encode(pairs.flat()));
}

/**
 * A query string with one thing wrong (one parameter hostile, or one nobody declared) and
 * the rest plausible, so that the hostile part is what the server has to cope with.
 */
export function hostileQuery(params: readonly ApiParameter[], realCursors: readonly string[] = []): fc.Arbitrary<string> {
  // The cursor is the one a client can fill with anything that decodes: it is picked more often.
  const wrongOne =
    params.length > 0 ? fc.oneof(...params.map((p, i) => ({ weight: p.name === 'cursor' ? 3 : 1, arbitrary: fc.constant(i) }))) : fc.constant(-1);
  return fc
    .tuple(wrongOne, fc.oneof({ weight: 4, arbitrary: fc.constant<QueryPair[]>([]) }, { weight: 1, arbitrary: fc.array(undeclared, { minLength: 1, maxLength: 2 }) }))
    .chain(([wrong, extra]) =>
      fc
        .tuple(...params.map((p, i) => (i === wrong ? hostilePair(p, realCursors) : plausiblePair(p, realCursors))))
        .map((pairs) => encode([...pairs.flat(), ...(wrong < 0 && extra.length === 0 ? [['unknown', 'x'] as QueryPair] : extra)])),
    );
}
