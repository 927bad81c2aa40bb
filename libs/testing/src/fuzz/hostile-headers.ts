import fc from 'fast-check';
import { hostileString } from './hostile-values.js';
import type { ApiOperation, ApiParameter } from './openapi-operations.js';
import { plausibleValue } from './plausible-value.js';

export type HeaderValue = string | string[];

export interface FuzzCredentials {
  adminKey: string;
  /** Other valid keys (fewer scopes): requests that pass authentication and fail authorisation. */
  otherKeys?: readonly string[];
}

/**
 * A header value as a client puts it on the wire: text as its UTF-8 bytes (one latin1 char
 * per byte, which is how Node sends and receives header bytes), minus the control characters
 * an HTTP client refuses to send at all (NUL, CR, LF): those never reach a server.
 */
export function wireHeaderValue(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1').replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

/** Header bytes that are not UTF-8. */
const NOT_UTF8 = ['\xff\xfe', '\xc0\x80', '\xed\xa0\x80', 'key-\xff'];

export function hostileHeaderValue(example?: string): fc.Arbitrary<string> {
  return fc.oneof(
    // Kept under 20 KB for the reason MAX_URL_PART explains: over 16 KB is a 431, far over a reset.
    { weight: 4, arbitrary: hostileString(example, 5_000).map(wireHeaderValue).filter((s) => s.length <= 20_000) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_UTF8, '', ' ', 'x'.repeat(256), 'x'.repeat(10_000), 'x'.repeat(20_000)) },
  );
}

/** Authorization that fails: none, malformed, unknown, another scheme, or a valid key without the scope. */
function wrongAuthorization(credentials: FuzzCredentials): fc.Arbitrary<HeaderValue | undefined> {
  const admin = `Bearer ${credentials.adminKey}`;
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom<HeaderValue | undefined>(undefined, ...(credentials.otherKeys ?? []).map((k) => `Bearer ${k}`)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<HeaderValue>(
        'Bearer', 'Bearer ', `bearer ${credentials.adminKey}`, `Bearer  ${credentials.adminKey}`, `Bearer ${credentials.adminKey} extra`, 'Basic YWRtaW46YWRtaW4=',
        `Bearer ${credentials.adminKey.slice(0, -1)}`, 'Bearer cf_bogus000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `Bearer ${credentials.adminKey}\xff`,
        `Bearer ${'x'.repeat(10_000)}`, [admin, 'Bearer cf_bogus'], [admin, admin], admin.toUpperCase(),
      ),
    },
    { weight: 1, arbitrary: hostileHeaderValue().map((v) => `Bearer ${v}`) },
  );
}

const hostileIdempotencyKey: fc.Arbitrary<HeaderValue> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(hostileHeaderValue(), fc.constantFrom('k'.repeat(256), 'ключ-🔑', 'a b', '\t')).map((v) => wireHeaderValue(v)) },
  // Reused across requests with other bodies: a 422, or the first answer replayed.
  { weight: 1, arbitrary: fc.constant('fuzz-reused-key') },
  { weight: 1, arbitrary: fc.constant<HeaderValue>(['same-key-twice', 'other-key']) },
);

/** A header the operation declares (On-Behalf-Of), as a good client sends it: absent or plausible (the example names a seeded agent). */
function plausibleDeclared(param: ApiParameter): fc.Arbitrary<HeaderValue | undefined> {
  const value = plausibleValue(param.schema).map((v) => wireHeaderValue(String(v)));
  return param.required ? value : fc.oneof(fc.constant(undefined), value);
}

/** Headers a good client sends: the admin key, sometimes a fresh Idempotency-Key, declared headers plausible. */
export function plausibleHeaders(op: ApiOperation, credentials: FuzzCredentials): fc.Arbitrary<Record<string, HeaderValue>> {
  return fc
    .record({
      authorization: fc.constant(`Bearer ${credentials.adminKey}`),
      // Unique: a key reused with another body is a 422. Unbiased (fast-check prefers small
      // values), and named after the operation, since a replayed seed repeats the same uuids.
      'idempotency-key':
        op.method === 'POST' ? fc.option(fc.noShrink(fc.noBias(fc.uuid())).map((id) => `fuzz-${op.method}-${op.path}-${id}`), { nil: undefined }) : fc.constant(undefined),
      ...Object.fromEntries(declaredHeaders(op).map((p) => [p.name.toLowerCase(), plausibleDeclared(p)])),
    })
    .map(present);
}

/** The plausible headers with one of them hostile, or one added that the operation does not expect. */
export function hostileHeaders(op: ApiOperation, credentials: FuzzCredentials): fc.Arbitrary<Record<string, HeaderValue>> {
  const wrong: Array<fc.WeightedArbitrary<[string, HeaderValue | undefined]>> = [
    { weight: 4, arbitrary: wrongAuthorization(credentials).map((v) => ['authorization', v]) },
    { weight: 3, arbitrary: hostileIdempotencyKey.map((v) => ['idempotency-key', v]) },
    { weight: 2, arbitrary: hostileHeaderValue('shop-req-42').map((v) => ['x-request-id', v]) },
    { weight: 1, arbitrary: hostileHeaderValue('agent_7').map((v) => ['on-behalf-of', v]) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<[string, HeaderValue]>(
        ['accept', 'application/xml'], ['accept', wireHeaderValue('\u00ff\u0000')], ['accept', 'x'.repeat(5_000)], ['accept-language', 'xx-ÿÿ'],
        ['accept-language', 'en;q=NaN'], ['if-match', 'W/"\xff"'], ['x-forwarded-for', '::1, \xff'],
        ['x-http-method-override', 'DELETE'], ['x-internal-token', 'guess'], ['x-careflow-key-id', '00000000-0000-0000-0000-000000000000'], ['x-careflow-scopes', 'admin'],
      ),
    },
    ...declaredHeaders(op).map((p) => ({
      weight: 3,
      arbitrary: hostileHeaderValue(typeof p.schema.example === 'string' ? p.schema.example : undefined).map((v): [string, HeaderValue] => [p.name.toLowerCase(), v]),
    })),
  ];
  return fc.tuple(plausibleHeaders(op, credentials), fc.oneof(...wrong)).map(([headers, [name, value]]) => present({ ...headers, [name]: value }));
}

function declaredHeaders(op: ApiOperation): ApiParameter[] {
  return op.headerParams.filter((p) => !['authorization', 'idempotency-key', 'content-type'].includes(p.name.toLowerCase()));
}

function present(headers: Record<string, HeaderValue | undefined>): Record<string, HeaderValue> {
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, HeaderValue] => e[1] !== undefined));
}
