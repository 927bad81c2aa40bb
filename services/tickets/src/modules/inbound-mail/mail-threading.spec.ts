import { withoutSubaddress } from '@careflow/contracts';
import { describe, expect, it } from 'vitest';
import { normalizeMessageId, routingAddresses, subjectTicketNumber } from './mail-threading.js';

describe('inbound mail threading', () => {
  it('compares Message-IDs in one bracketed, trimmed form and drops what is not one', () => {
    expect(normalizeMessageId(' <abc.1@mail.example.com> ')).toBe('<abc.1@mail.example.com>');
    expect(normalizeMessageId('abc.1@mail.example.com')).toBe('<abc.1@mail.example.com>');
    expect(normalizeMessageId('<no-at-sign>')).toBeNull();
    expect(normalizeMessageId('<a b@c>')).toBeNull();
    expect(normalizeMessageId('')).toBeNull();
  });

  it('reads the first canonical [#number] token of a subject', () => {
    expect(subjectTicketNumber('Re: [#1042] Where is my parcel?')).toBe('1042');
    expect(subjectTicketNumber('Re: [#1042] Fwd: [#1043]')).toBe('1042');
    expect(subjectTicketNumber('[#01042] padded')).toBeNull();
    expect(subjectTicketNumber('#1042 without brackets')).toBeNull();
    expect(subjectTicketNumber('[# 1042]')).toBeNull();
  });

  it('routes a subaddress to its mailbox, after the address as given', () => {
    expect(withoutSubaddress('support+vip@shop.test')).toBe('support@shop.test');
    expect(withoutSubaddress('support@shop.test')).toBe('support@shop.test');
    expect(withoutSubaddress('+x@shop.test')).toBe('+x@shop.test');
    expect(routingAddresses(['Support+VIP@shop.test', 'billing@shop.test', 'support@shop.test'])).toEqual([
      'support+vip@shop.test',
      'support@shop.test',
      'billing@shop.test',
    ]);
  });
});
