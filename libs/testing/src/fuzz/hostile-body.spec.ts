import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileBody } from './hostile-body.js';
import type { JsonSchema } from './openapi-operations.js';

const TICKET: JsonSchema = {
  type: 'object',
  required: ['subject', 'customer', 'tags'],
  properties: {
    subject: { type: 'string', example: 'Đơn hàng #1042 chưa được giao' },
    customer: { type: 'object', required: ['email'], properties: { email: { type: 'string', example: 'lan@example.com' } } },
    tags: { type: 'array', items: { type: 'string' }, example: ['delivery'] },
    placedAt: { type: 'string', format: 'date-time' },
  },
};

describe('hostile bodies', () => {
  it('mutate copies: the schema examples every valid body starts from stay as documented', () => {
    const documented = JSON.stringify(TICKET);
    fc.sample(hostileBody(TICKET), { numRuns: 1_000, seed: 7 });
    expect(JSON.stringify(TICKET)).toBe(documented);
  });

  it('say how each was made, and reach every field at any depth', () => {
    const made = fc.sample(hostileBody(TICKET), { numRuns: 1_000, seed: 7 }).map((b) => b.made);
    for (const where of ['subject ←', 'customer.email ←', 'tags.0 ←', 'placedAt ←', '(root) ←', 'removed', 'wrapped in an array', 'added ←', 'raw ', 'UTF-16']) {
      expect(made.some((m) => m.includes(where)), where).toBe(true);
    }
  });
});
