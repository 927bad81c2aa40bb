import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ticketIdOfMessageId, ticketMessageId } from './message-ids.js';

describe('ticket Message-IDs', () => {
  it('carry the ticket id, a random part and the domain, and read back to the ticket id', () => {
    const ticketId = randomUUID();
    const a = ticketMessageId('shop.test', ticketId);
    const b = ticketMessageId('shop.test', ticketId);
    expect(a).toMatch(new RegExp(`^<cf\\.${ticketId}\\.[0-9a-f]{24}@shop\\.test>$`));
    expect(a).not.toBe(b);
    expect(ticketIdOfMessageId(a)).toBe(ticketId);
  });

  it('read an id without brackets, with surrounding space, or in another case', () => {
    const ticketId = randomUUID();
    const id = ticketMessageId('shop.test', ticketId);
    expect(ticketIdOfMessageId(id.slice(1, -1))).toBe(ticketId);
    expect(ticketIdOfMessageId(`  ${id} `)).toBe(ticketId);
    expect(ticketIdOfMessageId(id.toUpperCase())).toBe(ticketId);
    expect(ticketMessageId('shop.test', ticketId.toUpperCase())).toContain(`cf.${ticketId}.`);
  });

  it('find no ticket in other ids', () => {
    for (const id of [
      `<${randomUUID()}@shop.test>`,
      '<cf.not-a-uuid.abc@shop.test>',
      `<cf.${randomUUID()}@shop.test>`,
      `<cf.${randomUUID()}.xyz@shop.test>`,
      `<cf.${randomUUID()}.abc@>`,
      `<x.cf.${randomUUID()}.abc@shop.test>`,
      '',
    ]) {
      expect(ticketIdOfMessageId(id), id).toBeNull();
    }
  });

  it('refuse to mint an id for something that is not a ticket id', () => {
    expect(() => ticketMessageId('shop.test', '1042')).toThrow(RangeError);
    expect(() => ticketMessageId('shop.test', `${randomUUID()}>\r\nBcc: x@y`)).toThrow(RangeError);
  });
});
