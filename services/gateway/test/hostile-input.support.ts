import type { WriteWatch } from '@careflow/testing';
import type request from 'supertest';
import { expect } from 'vitest';

/** What a refused request must answer. Default: 400 `validation-error` naming `field`. */
export interface Rejection {
  /** The field `errors` must name; several spellings when the contract allows either. */
  field?: string | readonly string[];
  /** What that field's message must say. */
  message?: RegExp;
  status?: number | readonly number[];
  /** The problem's `code`; `null` to accept any. */
  code?: string | null;
  /** What the problem's `detail` must say. */
  detail?: RegExp;
}

interface FieldError {
  field: string;
  message: string;
}

/** Values of #3 that are not RFC 3339 date-times (ISO 8601 variants, impossible dates, bad offsets). */
export const NOT_RFC3339 = [
  '2026',
  '2026-11',
  '2026-W48-1',
  '-2026-01-01',
  '2026-01-01T00:00:00+23:00',
  '+2026-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '2026-01-01T10:00:00,5Z',
  '20260101T000000Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01',
];
export const RFC3339 = ['2026-11-20T08:15:00Z', '2026-11-20T08:15:00.123+07:00', '2026-11-20t08:15:00z'];
/** #2: an unpaired high surrogate, an unpaired low one, a pair in the wrong order (JSON escapes). */
export const LONE_SURROGATES = ['\\ud800', '\\udc00', '\\udc00\\ud800'];
/** Stands in a string for raw JSON text spliced in with `jsonWith`. */
export const SURROGATE = '@@SURROGATE@@';
/** #12: byte sequences that are not UTF-8 (bytes never used, an overlong NUL, an encoded surrogate). */
export const INVALID_UTF8: Array<[string, number[]]> = [
  ['FF FE', [0xff, 0xfe]],
  ['C0 80', [0xc0, 0x80]],
  ['ED A0 80', [0xed, 0xa0, 0x80]],
];

const show = (res: request.Response) => `${res.status} ${res.text.length > 600 ? `${res.text.slice(0, 600)}…` : res.text}`;

/**
 * Sends hostile requests and checks each is refused as the contract says and wrote nothing.
 * Checks are soft (`expect.soft`): one run lists every case that does not hold, each with
 * what the API actually answered.
 */
export class HostileRequests {
  constructor(readonly watch: WriteWatch) {}

  async rejects(label: string, send: request.Test, expected: Rejection = {}): Promise<request.Response> {
    const { result: res, changes } = await this.watch.around(() => send);
    const what = `${label} → ${show(res)}`;
    const statuses = ([] as number[]).concat(expected.status ?? 400);
    expect.soft(statuses, what).toContain(res.status);
    expect.soft(res.headers['content-type'], what).toContain('application/problem+json');
    if (expected.code !== null) expect.soft(res.body?.code, what).toBe(expected.code ?? 'validation-error');
    if (expected.detail) expect.soft(String(res.body?.detail ?? ''), what).toMatch(expected.detail);
    if (expected.field !== undefined) {
      const fields = ([] as string[]).concat(expected.field);
      const errors: FieldError[] = Array.isArray(res.body?.errors) ? res.body.errors : [];
      const named = errors.find((e) => fields.includes(e.field));
      expect.soft(named, `${what}: errors should name ${fields.map((f) => JSON.stringify(f)).join(' or ')}`).toBeDefined();
      if (named && expected.message) expect.soft(named.message, what).toMatch(expected.message);
    }
    expect.soft(changes, `${label}: nothing may be written → ${res.status}`).toEqual({});
    // Accepted after all: let the jobs it caused finish before the next check.
    if (res.status < 300 || Object.keys(changes).length > 0) this.watch.touched();
    return res;
  }

  /** A request that must succeed (a fixture, or a valid value next to the hostile ones). */
  async accepts(label: string, send: request.Test, status: number | readonly number[] = [200, 201, 202]): Promise<request.Response> {
    const res = await send;
    this.watch.touched();
    expect.soft(([] as number[]).concat(status), `${label} → ${show(res)}`).toContain(res.status);
    return res;
  }
}

/** Sends `text` as the JSON body byte for byte (escapes such as `\ud800` survive). */
export function rawJson(req: request.Test, text: string | Buffer): request.Test {
  // The identity serializer: superagent would otherwise send a Buffer as {"type":"Buffer",…}.
  return req.set('content-type', 'application/json').serialize((body: unknown) => body as string).send(text);
}

/** JSON text of `body` with each `marker` in a string replaced by raw JSON text (an escape). */
export function jsonWith(body: unknown, marker: string, replacement: string): string {
  return JSON.stringify(body).split(marker).join(replacement);
}

/** A cursor's values, as the API encodes them (base64url JSON). */
export function cursorValues(cursor: string): unknown[] {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
}

export function cursorOf(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})([ T].*?)([+-]\d{2}(?::?\d{2})?|Z)$/;

/**
 * Forged versions of a real cursor: its timestamp made impossible but still shaped like one
 * (February 30th, year 0000, offset +16:00), everything else as the API issued it.
 */
export function forgedCursors(cursor: string): Array<{ label: string; cursor: string }> {
  const values = cursorValues(cursor);
  const at = values.findIndex((v) => typeof v === 'string' && TIMESTAMP.test(v));
  if (at < 0) throw new Error(`no timestamp in cursor ${JSON.stringify(values)}`);
  const [, year, month, day, time, offset] = TIMESTAMP.exec(values[at] as string)!;
  const forge = (label: string, timestamp: string) => {
    const copy = [...values];
    copy[at] = timestamp;
    return { label: `${label} (${JSON.stringify(copy)})`, cursor: cursorOf(copy) };
  };
  return [
    forge('February 30th', `${year}-02-30${time}${offset}`),
    forge('year 0000', `0000-${month}-${day}${time}${offset}`),
    forge('offset +16:00', `${year}-${month}-${day}${time}+16:00`),
  ];
}
