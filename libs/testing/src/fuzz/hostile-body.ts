import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { DEEP_ARRAY, DEEP_OBJECT, hostileJson, hostileKey, hostileValueFor, INVALID_UTF8 } from './hostile-values.js';
import type { JsonSchema } from './openapi-operations.js';
import { plausibleValue, validBodyValue } from './plausible-value.js';
import { jsonBytes, RawJson, RawStringBytes } from './raw-json.js';

/** A request body as sent: its bytes, the headers that describe them, and how it was made. */
export interface FuzzBody {
  bytes: Buffer;
  headers: Record<string, string>;
  /** For the failure report: which mutation or raw document this is. */
  made: string;
}

type Path = ReadonlyArray<string | number>;

interface Target {
  path: Path;
  schema: JsonSchema | undefined;
  present: boolean;
}

/**
 * Hostile bodies for an operation that takes JSON: mostly a valid body with one to three
 * things wrong at any depth (a hostile value, `null`, a missing required field, an unknown or
 * prototype key, an array wrapped in another), and also raw documents no serializer makes,
 * other encodings and content types.
 */
export function hostileBody(schema: JsonSchema, contentType = 'application/json'): fc.Arbitrary<FuzzBody> {
  const json = (made: string, value: unknown): FuzzBody => ({ bytes: jsonBytes(value), headers: { 'content-type': contentType }, made });
  return fc.oneof(
    { weight: 2, arbitrary: plausibleValue(schema).map((v) => json('plausible', v)) },
    { weight: 12, arbitrary: mutatedBody(schema).map(([v, made]) => json(made, v)) },
    { weight: 3, arbitrary: rawDocument.map(([bytes, made]) => ({ bytes, headers: { 'content-type': contentType }, made })) },
    { weight: 2, arbitrary: fc.tuple(validBodyValue(schema), reencoding).map(([v, encode]) => encode(jsonBytes(v))) },
    {
      weight: 2,
      arbitrary: fc.tuple(validBodyValue(schema), hostileContentType).map(([v, type]): FuzzBody => ({
        bytes: jsonBytes(v),
        headers: type === undefined ? {} : { 'content-type': type },
        made: `valid, content-type ${type === undefined ? 'none' : JSON.stringify(type)}`,
      })),
    },
  );
}

/** A body that should pass validation (examples wherever the schema has them). */
export function validBody(schema: JsonSchema, contentType = 'application/json'): fc.Arbitrary<FuzzBody> {
  return validBodyValue(schema).map((v) => ({ bytes: jsonBytes(v), headers: { 'content-type': contentType }, made: 'valid' }));
}

/** A body for an operation that takes none: clients send them anyway. */
export function unexpectedBody(): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    hostileJson().map((v) => ({ bytes: jsonBytes(v), headers: { 'content-type': 'application/json' }, made: 'unexpected JSON body' })),
    rawDocument.map(([bytes, made]) => ({ bytes, headers: { 'content-type': 'application/json' }, made })),
  );
}

function mutatedBody(schema: JsonSchema): fc.Arbitrary<[unknown, string]> {
  const count = fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constant(3) });
  return fc.tuple(validBodyValue(schema), count).chain(([original, n]) => {
    const targets = targetsOf(original, schema, []);
    return fc.array(mutation(targets), { minLength: n, maxLength: n }).map((mutations) => {
      let value = cloneJson(original);
      for (const m of mutations) value = m.apply(value);
      return [value, mutations.map((m) => m.made).join('; ')] as [unknown, string];
    });
  });
}

interface Mutation {
  apply(value: unknown): unknown;
  made: string;
}

function mutation(targets: readonly Target[]): fc.Arbitrary<Mutation> {
  const objects = targets.filter((t) => t.present && (t.schema?.type === 'object' || t.schema?.properties !== undefined));
  return fc.constantFrom(...targets).chain((target) => {
    const where = target.path.length ? target.path.join('.') : '(root)';
    const kinds: Array<fc.WeightedArbitrary<Mutation>> = [
      { weight: 8, arbitrary: hostileValueFor(target.schema).map((v) => ({ apply: (root) => setAt(root, target.path, cloneJson(v)), made: `${where} ← ${summarize(v)}` })) },
      { weight: 2, arbitrary: fc.constant({ apply: (root) => setAt(root, target.path, null), made: `${where} ← null` }) },
    ];
    if (target.present && target.path.length > 0) {
      kinds.push({ weight: 2, arbitrary: fc.constant({ apply: (root) => removeAt(root, target.path), made: `${where} removed` }) });
      kinds.push({ weight: 1, arbitrary: fc.constant({ apply: (root) => setAt(root, target.path, [getAt(root, target.path)]), made: `${where} wrapped in an array` }) });
    }
    if (objects.length > 0) {
      kinds.push({
        weight: 2,
        arbitrary: fc.tuple(fc.constantFrom(...objects), hostileKey, fc.oneof(fc.constant<unknown>('x'), hostileJson())).map(([object, key, v]) => ({
          apply: (root) => setAt(root, [...object.path, key], cloneJson(v)),
          made: `${[...object.path, summarize(key, 20)].join('.')} added ← ${summarize(v)}`,
        })),
      });
    }
    return fc.oneof(...kinds);
  });
}

/** Every place a mutation can land: each field present and each the schema declares, at any depth. */
function targetsOf(value: unknown, schema: JsonSchema | undefined, path: Path): Target[] {
  const here: Target = { path, schema, present: true };
  if (Array.isArray(value)) return [here, ...value.flatMap((item, i) => targetsOf(item, schema?.items, [...path, i]))];
  if (value !== null && typeof value === 'object' && !(value instanceof RawJson) && !(value instanceof RawStringBytes)) {
    const keys = new Set([...Object.keys(value), ...Object.keys(schema?.properties ?? {})]);
    return [
      here,
      ...[...keys].flatMap((key) =>
        key in value ? targetsOf((value as Record<string, unknown>)[key], schema?.properties?.[key], [...path, key]) : [{ path: [...path, key], schema: schema?.properties?.[key], present: false }],
      ),
    ];
  }
  return [here];
}

/** A deep copy, so that mutations never reach the schema's examples or the shared hostile constants. */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) define(copy, key, cloneJson((value as Record<string, unknown>)[key]));
    return copy;
  }
  return value;
}

/** defineProperty, so that `__proto__` becomes a key and not the prototype. */
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], root);
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object' || parent instanceof RawJson) return root;
  const key = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
  else define(parent as Record<string, unknown>, String(key), value);
  return root;
}

function removeAt(root: unknown, path: Path): unknown {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[String(key)];
  return root;
}

function summarize(value: unknown, max = 80): string {
  if (value instanceof RawJson || value instanceof RawStringBytes) return String((value as { [fc.toStringMethod]: () => string })[fc.toStringMethod]());
  if (typeof value === 'string' && value.length > max) return `${JSON.stringify(value.slice(0, max))}…(${value.length} chars)`;
  if (Array.isArray(value) && value.length > 20) return `[${summarize(value[0])}, … ×${value.length}]`;
  const text = fc.stringify(value);
  return text.length > max * 2 ? `${text.slice(0, max * 2)}…` : text;
}

/**
 * Whole documents: empty, truncated, not JSON, JSON5, duplicate keys, a raw control
 * character, nested 10,000 deep (and unterminated), over the size limit, not UTF-8.
 */
const RAW_TEXTS = [
  '', ' ', 'null', '[]', '""', '0', 'true', '{', '}', '{"a":}', '{}x', '{}{}', '[1,]', '{"a":1,}', "{'a':1}", '{a:1}', '{"a":NaN}',
  '{"a":Infinity}', '{"a":1,"a":2}', '/* comment */{}', '{"a":"\u0000"}', '\ufeff{}', '"\\ud800"', DEEP_ARRAY.text, DEEP_OBJECT.text,
  '['.repeat(100_000), '{"a":'.repeat(50_000), `"${'a'.repeat(1_100_000)}"`, ' '.repeat(1_100_000),
];
const rawDocument: fc.Arbitrary<[Buffer, string]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RAW_TEXTS).map((t): [Buffer, string] => [Buffer.from(t, 'utf8'), `raw ${summarize(t, 40)}`]) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_UTF8).map((b): [Buffer, string] => [Buffer.concat([b, Buffer.from('{}')]), `raw bytes ${b.toString('hex')} then {}`]) },
);

/** The same JSON in another encoding, with or without the header that says so. */
const reencoding: fc.Arbitrary<(bytes: Buffer) => FuzzBody> = fc.constantFrom(
  (b: Buffer) => ({ bytes: utf16(b, true), headers: { 'content-type': 'application/json; charset=utf-16' }, made: 'UTF-16LE with BOM, charset=utf-16' }),
  (b: Buffer) => ({ bytes: utf16(b, false), headers: { 'content-type': 'application/json; charset=utf-16le' }, made: 'UTF-16LE, charset=utf-16le' }),
  (b: Buffer) => ({ bytes: b, headers: { 'content-type': 'application/json; charset=utf-16' }, made: 'UTF-8 labelled charset=utf-16' }),
  (b: Buffer) => ({ bytes: utf16(b, true), headers: { 'content-type': 'application/json' }, made: 'UTF-16LE with BOM, no charset' }),
  (b: Buffer) => ({ bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]), headers: { 'content-type': 'application/json' }, made: 'UTF-8 with BOM' }),
  (b: Buffer) => ({ bytes: gzipSync(b), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, made: 'gzip' }),
  (b: Buffer) => ({ bytes: b, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, made: 'labelled gzip, not compressed' }),
  (b: Buffer) => ({ bytes: b, headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, made: 'labelled br, not compressed' }),
  (b: Buffer) => ({ bytes: b, headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }, made: 'unknown content-encoding' }),
  () => ({ bytes: gzipBomb(), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, made: 'gzip bomb: 20 MB of spaces in 20 KB' }),
);

let bomb: Buffer | undefined;
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.alloc(20_000_000, ' '));
  return bomb;
}

function utf16(bytes: Buffer, bom: boolean): Buffer {
  const body = Buffer.from(bytes.toString('utf8'), 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

const hostileContentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined, 'text/plain', 'application/json; charset=latin1', 'application/json; charset=bogus', 'application/json;charset=UTF-8',
  'APPLICATION/JSON', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/merge-patch+json',
  'application/problem+json', 'application/json, text/plain', 'application/jsonx', 'message/rfc822', '*/*', 'application/*', ';', '',
  'application/json; charset="utf-8"; q=1', 'application/json; charset=utf-32', 'text/json', 'application/xml',
);
