import fc from 'fast-check';
import { hostileBody, unexpectedBody, validBody, type FuzzBody } from './hostile-body.js';
import { hostileHeaders, plausibleHeaders, type FuzzCredentials, type HeaderValue } from './hostile-headers.js';
import { hostilePathId, plausiblePathId } from './hostile-path-id.js';
import { hostileQuery, plausibleQuery } from './hostile-query.js';
import { hostileString, INVALID_UTF8 } from './hostile-values.js';
import type { ApiOperation } from './openapi-operations.js';
import { validValue } from './plausible-value.js';
import { percentEncode } from './url-text.js';

/** One request as sent, and what it was made from, for the failure report. */
export interface FuzzRequest {
  method: string;
  /** Path and query string, percent-encoded as on the wire. */
  target: string;
  headers: Record<string, HeaderValue>;
  body?: Buffer;
  /** How the body was made: "customer.email ← null", "raw [×10000]×10000", … */
  made?: string;
}

export interface FuzzContext {
  credentials: FuzzCredentials;
  /**
   * Ids of rows that exist, by the collection a path parameter follows (`/v1/tickets/{id}`
   * → `tickets`), so that requests reach the handlers that load a row. A collection nobody
   * seeded gets the ids of all.
   */
  realIds: Readonly<Record<string, readonly string[]>>;
  /** Cursors from real pages, by path template: forged cursors start from these. */
  realCursors?: Readonly<Record<string, readonly string[]>>;
}

type Part = 'path' | 'query' | 'headers' | 'body';

/**
 * A hostile request for the operation. Mostly one part is hostile (a path id, the query, a
 * header or the body) and the others are what a good client sends, so that the request gets
 * past everything but the hostile part: a NUL in a ticket subject only reaches Postgres if
 * the rest of the ticket is valid. Sometimes every part is hostile at once.
 */
export function hostileRequest(op: ApiOperation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const focus: Array<fc.WeightedArbitrary<readonly Part[]>> = [
    { weight: op.body ? 8 : 2, arbitrary: fc.constant(['body'] as const) },
    { weight: op.queryParams.length > 0 ? 4 : 1, arbitrary: fc.constant(['query'] as const) },
    { weight: 3, arbitrary: fc.constant(['headers'] as const) },
    { weight: op.pathParams.length > 0 ? 3 : 1, arbitrary: fc.constant(['path'] as const) },
    { weight: 1, arbitrary: fc.constant(['path', 'query', 'headers', 'body'] as const) },
  ];
  const realCursors = context.realCursors?.[op.path] ?? [];
  return fc
    .oneof(...focus)
    .chain((hostile) =>
      fc.record({
        path: pathOf(op, context, hostile.includes('path')),
        query: hostile.includes('query') ? hostileQuery(op.queryParams, realCursors) : plausibleQuery(op.queryParams, realCursors),
        headers: hostile.includes('headers') ? hostileHeaders(op, context.credentials) : plausibleHeaders(op, context.credentials),
        body: bodyOf(op, hostile.includes('body')),
      }),
    )
    .map(({ path, query, headers, body }) => {
      const request: FuzzRequest = {
        method: op.method,
        target: query ? `${path}?${query}` : path,
        headers: { ...headers, ...body?.headers },
        body: body?.bytes,
        made: body?.made,
      };
      return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request, context.credentials) });
    });
}

/** The path with its ids filled in: real ones, or (hostile) one of them wrong, or the path itself oddly spelt. */
function pathOf(op: ApiOperation, context: FuzzContext, hostile: boolean): fc.Arbitrary<string> {
  const segments = op.path.split('/');
  const params = segments.flatMap((segment, i) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    if (!name) return [];
    const param = op.pathParams.find((p) => p.name === name) ?? { name, required: true, schema: { type: 'string' } };
    return [{ index: i, param, realIds: context.realIds[segments[i - 1] ?? ''] ?? Object.values(context.realIds).flat() }];
  });
  /** The path with the `wrong`-th parameter hostile (none when -1). */
  const fill = (wrong: number) =>
    fc.tuple(...params.map((p, i) => (i === wrong ? hostilePathId(p.param, p.realIds) : plausiblePathId(p.param, p.realIds)))).map((ids) => {
      const filled = [...segments];
      params.forEach((p, i) => (filled[p.index] = percentEncode(ids[i]!)));
      return filled.join('/');
    });
  if (!hostile) return fill(-1);
  return fc.oneof(
    ...(params.length > 0 ? [{ weight: 6, arbitrary: fc.nat({ max: params.length - 1 }).chain(fill) }] : []),
    { weight: 1, arbitrary: fill(-1).map((p) => `${p}/`) },
    { weight: 1, arbitrary: fill(-1).map((p) => `/${p}`) },
    { weight: 1, arbitrary: fill(-1).map((p) => p.replace(/\/([^/]*)$/, '/./$1')) },
  );
}

function bodyOf(op: ApiOperation, hostile: boolean): fc.Arbitrary<FuzzBody | undefined> {
  if (!op.body) return hostile ? fc.oneof(fc.constant(undefined), unexpectedBody()) : fc.constant(undefined);
  const json = /json/i.test(op.body.contentType);
  const contentType = op.body.contentType;
  if (!hostile && json) return validBody(op.body.schema, contentType);
  // Not JSON (a raw e-mail, say): the example as text when there is one.
  if (!hostile) return validValue(op.body.schema).map((v) => (typeof v === 'string' ? { bytes: Buffer.from(v, 'utf8'), headers: { 'content-type': contentType }, made: 'valid' } : undefined));
  const missing = fc.constant<FuzzBody | undefined>(undefined);
  if (json) return fc.oneof({ weight: 30, arbitrary: hostileBody(op.body.schema, contentType) }, { weight: 1, arbitrary: missing });
  // …and hostile: text and bytes with the hostile classes in them.
  return fc.oneof(
    { weight: 1, arbitrary: missing },
    { weight: 4, arbitrary: hostileString().map((s) => ({ bytes: Buffer.from(s, 'utf8'), headers: { 'content-type': contentType }, made: 'hostile text' })) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((b) => ({ bytes: Buffer.from(b), headers: { 'content-type': contentType }, made: 'random bytes' })) },
    { weight: 1, arbitrary: fc.constantFrom(...INVALID_UTF8).map((b) => ({ bytes: b, headers: { 'content-type': contentType }, made: 'invalid UTF-8' })) },
  );
}

/** The request as a developer wants to read it in a failure: method, target, headers, the start and end of the body. */
export function describeRequest(request: FuzzRequest, credentials?: FuzzCredentials): string {
  const secret = credentials?.adminKey;
  const headers = Object.entries(request.headers).map(([name, value]) => {
    const shown = [value].flat().map((v) => bytesPreview(Buffer.from(secret ? v.split(secret).join('<admin key>') : v, 'latin1'), 300));
    return `  ${name}: ${shown.join(' | ')}`;
  });
  const body = request.body
    ? [`  body (${request.body.length} bytes${request.made ? `; ${request.made}` : ''}):`, `    ${bytesPreview(request.body, 1200)}`]
    : [];
  return [`${request.method} ${readable(request.target, 600)}`, ...headers, ...body].join('\n');
}

/** Bytes as text when they are UTF-8; otherwise ASCII with every other byte as \xNN. */
function bytesPreview(bytes: Buffer, max: number): string {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return readable(text, max);
  return `(not UTF-8) ${readable(bytes.toString('latin1').replace(/[\x80-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`), max)}`;
}

/** Control, invisible and unpaired characters made visible; long text cut in the middle. */
export function readable(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, (max * 2) / 3)}…(${text.length} chars)…${text.slice(-max / 3)}` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) =>
    c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
