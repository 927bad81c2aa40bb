import { describe, expect, it } from 'vitest';
import { RequestValidationError } from './domain-error.js';
import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    expect(decodeCursor(encodeCursor(['2026-11-23 09:30:00.123456+00', 'abc']), 2)).toEqual(['2026-11-23 09:30:00.123456+00', 'abc']);
  });

  it('rejects a cursor it did not issue with a 400 naming `cursor`', () => {
    for (const bad of ['garbage', encodeCursor(['only-one']), Buffer.from('{"a":1}').toString('base64url'), encodeCursor([1, 2, 3])]) {
      try {
        decodeCursor(bad, 2);
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
