import { describe, expect, it } from 'vitest';
import { parsePostgresTimestamp, parseTimestamp } from './timestamp.js';

describe('the timestamp rule', () => {
  it('takes RFC 3339 date-times with a time zone', () => {
    expect(parseTimestamp('2026-11-20T08:15:00Z')?.toISOString()).toBe('2026-11-20T08:15:00.000Z');
    expect(parseTimestamp('2026-11-20T08:15:00.123+07:00')?.toISOString()).toBe('2026-11-20T01:15:00.123Z');
    expect(parseTimestamp('2026-11-20t08:15:00.123456789z')?.toISOString()).toBe('2026-11-20T08:15:00.123Z');
    expect(parseTimestamp('2024-02-29T00:00:00-14:00')?.toISOString()).toBe('2024-02-29T14:00:00.000Z');
    expect(parseTimestamp('1900-01-01T00:00:00Z')).not.toBeNull();
    expect(parseTimestamp('9999-12-31T23:59:59Z')).not.toBeNull();
  });

  it.each([
    '2026', '2026-11', '2026-W48-1', '-2026-01-01', '+2026-01-01T00:00:00Z', '2026-01-01', '20260101T000000Z',
    '2026-01-01T10:00:00,5Z', '2026-01-01T00:00:00+23:00', '2026-01-01T00:00:00+14:01', '2026-01-01T00:00:00+05:60',
    '9999-12-31T23:59:59-23:59', '9999-12-31T23:59:59-00:01', '1899-12-31T23:59:59Z', '1900-01-01T00:30:00+01:00',
    '2026-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '0000-01-01T00:00:00Z',
    '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '2026-01-01T00:00:00', '2026-01-01 00:00:00Z',
    ' 2026-01-01T00:00:00Z', '2026-01-01T00:00:00.Z', '２０２６-01-01T00:00:00Z', '2026-01-01T00:00:00Z\u0000',
  ])('refuses %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it('refuses what is not a string', () => {
    for (const value of [null, undefined, 1764000000000, {}, ['2026-11-20T08:15:00Z']]) expect(parseTimestamp(value)).toBeNull();
  });

  it('reads Postgres text timestamps (cursors) under the same bounds', () => {
    expect(parsePostgresTimestamp('2026-11-23 09:30:00.123456+00')?.toISOString()).toBe('2026-11-23T09:30:00.123Z');
    expect(parsePostgresTimestamp('2026-11-23 09:30:00+05:30')?.toISOString()).toBe('2026-11-23T04:00:00.000Z');
    for (const bad of ['2026-02-30 00:00:00+00', '0000-01-01 00:00:00+00', '2026-01-01 00:00:00+16', '2026-01-01T00:00:00Z', '2026-01-01 00:00:00.1234567+00']) {
      expect(parsePostgresTimestamp(bad)).toBeNull();
    }
  });
});
