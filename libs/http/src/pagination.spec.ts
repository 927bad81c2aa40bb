import { describe, expect, it } from 'vitest';
import { RequestValidationError } from './request-errors.js';
import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    expect(decodeCursor(encodeCursor(['2026-11-23 09:30:00.123456+00', 'abc']), ['timestamp', 'string'])).toEqual(['2026-11-23 09:30:00.123456+00', 'abc']);
    expect(decodeCursor(encodeCursor([2, '7d1e4c2a-5b9f-4e3d-8a6c-1f2e3d4c5b6a']), ['smallint', 'uuid'])).toHaveLength(2);
  });

  it('rejects a cursor it did not issue with a 400 naming `cursor`', () => {
    const forged = [encodeCursor(['not a date', '7d1e4c2a-5b9f-4e3d-8a6c-1f2e3d4c5b6a']), encodeCursor(['2026-11-23 09:30:00+00', 'x'])];
    for (const bad of ['garbage', encodeCursor(['only-one']), Buffer.from('{"a":1}').toString('base64url'), encodeCursor([1, 2, 3]), ...forged]) {
      try {
        decodeCursor(bad, ['timestamp', 'uuid']);
        expect.unreachable(bad);
      } catch (error) {
        expect(error).toBeInstanceOf(RequestValidationError);
        expect((error as RequestValidationError).errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
      }
    }
  });

  it('uses the extra row only to tell that there is a next page', () => {
    const rows = [1, 2, 3];
    expect(toPage(rows, 2, (r) => [r], (r) => r * 10)).toEqual({ data: [10, 20], nextCursor: encodeCursor([2]) });
    expect(toPage(rows, 3, (r) => [r], (r) => r)).toEqual({ data: [1, 2, 3], nextCursor: null });
  });
});
