import fc from 'fast-check';
import { HOSTILE_DATES, hostileString, INVALID_UTF8, NUMERIC_STRINGS } from './hostile-values.js';
import { jsonBytes, RawJson } from './raw-json.js';

/*
 * Cursors are opaque to clients, but they are base64url text anyone can decode, edit and
 * encode again. Forged ones decode fine and carry what the server's checks let through:
 * impossible dates, offsets Postgres refuses, integers out of a column's range, NUL.
 */

/**
 * Timestamps of the shape a cursor check accepts (and that JavaScript parses), mostly ones
 * Postgres refuses: no such day, year 0, offsets of 16 hours and more, 24:00, a leap second.
 */
const CURSOR_TIMESTAMPS = [
  '2026-11-20T08:15:00.123456+00:00', '2026-11-20 08:15:00.123456+00', '2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '0000-01-01T00:00:00Z',
  '0000-01-01 00:00:00+00', '2026-01-01T00:00:00+16:00', '2026-01-01T00:00:00-16:00', '2026-01-01 00:00:00+23', '2026-01-01T00:00:00+23:59',
  '9999-12-31T23:59:59-23:59', '2026-11-20T24:00:00Z', '2026-11-20T08:15:60Z', '2026-11-20T08:15:00.1234567Z', '2026-13-01T00:00:00Z',
  '2026-11-20 08:15:00+0000',
];
const timestamp = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...CURSOR_TIMESTAMPS) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_DATES) });

const uuid = fc.oneof(
  fc.uuid(),
  fc.constantFrom(
    '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '0b6f3c9e3f7e4a4e9a556f0a3b5d2c11', '{0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11}',
    '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11\u0000', '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c1', 'zb6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11',
  ),
);

const integer = fc.constantFrom<unknown>(
  0, -1, 99_999, -40_000, 32_768, -32_769, 2_147_483_648, 1.5, 1e308, new RawJson('9007199254740993'), new RawJson('-0'), new RawJson('1e999'),
  '99999', '-40000', '999999999999999999', '-999999999999999999', ...NUMERIC_STRINGS,
);

const text = fc.oneof(fc.constantFrom('agent_7', 'x'.repeat(512), 'x'.repeat(513)), hostileString('agent_7', 1_025));

const member: fc.Arbitrary<unknown> = fc.oneof(timestamp, uuid, integer, text, fc.constantFrom<unknown>(null, true, {}, [], [['x']]));

/** The shapes keyset cursors usually have: (time, id), (time, key), (sequence), (rank, time, id). */
const forged = fc.oneof(
  fc.tuple(timestamp, uuid),
  fc.tuple(timestamp, text),
  fc.tuple(integer),
  fc.tuple(integer, timestamp, uuid),
  fc.array(member, { maxLength: 5 }),
  fc.tuple(fc.tuple(timestamp, uuid)),
);

/**
 * Not a cursor at all: not base64url, not JSON, not an array, or enormous (as enormous as
 * still fits in the 16 KB Node allows a request head; beyond that the gateway answers 431).
 */
const garbage = fc.oneof(
  fc.constantFrom('', '!!!', '=', 'null', '[]', '["x"]', 'A'.repeat(12_000), 'AAAA+/==', '\u0000', 'x\ud800', 'ey', '%'),
  fc.constantFrom<unknown>({}, null, 'x', 1, [], [null], [true], ['x'.repeat(9_000)], ['\u0000']).map((v) => encode(v)),
  fc.constantFrom(...INVALID_UTF8).map((b) => b.toString('base64url')),
  fc.base64String({ maxLength: 64 }),
);

function encode(value: unknown): string {
  return jsonBytes(value).toString('base64url');
}

/** A hostile member of the same kind as a real one (a timestamp for a timestamp), sometimes of any kind. */
function memberLike(value: unknown): fc.Arbitrary<unknown> {
  const kind =
    typeof value === 'number' || (typeof value === 'string' && /^-?\d+$/.test(value)) ? integer
    : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[ T]/.test(value) ? timestamp
    : typeof value === 'string' && /^[0-9a-f]{8}-/i.test(value) ? uuid
    : text;
  return fc.oneof({ weight: 4, arbitrary: kind }, { weight: 1, arbitrary: member });
}

/** A real cursor with one thing changed: a member replaced, one dropped or added, the array nested, NUL appended. */
function tampered(real: string): fc.Arbitrary<string> {
  let values: unknown[];
  try {
    const decoded: unknown = JSON.parse(Buffer.from(real, 'base64url').toString('utf8'));
    values = Array.isArray(decoded) ? decoded : [decoded];
  } catch {
    return fc.constant(real);
  }
  const index = fc.nat({ max: Math.max(0, values.length - 1) });
  return fc.oneof(
    { weight: 6, arbitrary: index.chain((i) => memberLike(values[i]).map((v) => encode(values.map((old, j) => (j === i ? v : old))))) },
    { weight: 1, arbitrary: index.map((i) => encode(values.filter((_, j) => j !== i))) },
    { weight: 1, arbitrary: member.map((v) => encode([...values, v])) },
    { weight: 1, arbitrary: fc.constant(encode([values])) },
    { weight: 1, arbitrary: fc.constantFrom(`${real}\u0000`, `${real}=`, real.toUpperCase(), real.slice(0, -2)) },
  );
}

/** Cursors to send as `?cursor=`: forged, tampered real ones (pass some from earlier pages), and garbage. */
export function hostileCursor(realCursors: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: forged.map(encode) },
    ...(realCursors.length > 0 ? [{ weight: 6, arbitrary: fc.constantFrom(...realCursors).chain(tampered) }, { weight: 1, arbitrary: fc.constantFrom(...realCursors) }] : []),
    { weight: 2, arbitrary: garbage },
  );
}
