import { describe, expect, it } from 'vitest';
import { parseMailbox, senderMailbox } from './mailboxes.js';

describe('parseMailbox', () => {
  it('splits a named mailbox and takes a bare address', () => {
    expect(parseMailbox('"Support, EU" <eu@Shop.Test>')).toEqual({ name: 'Support, EU', address: 'eu@Shop.Test' });
    expect(parseMailbox('  support@shop.test ')).toEqual({ name: '', address: 'support@shop.test' });
  });

  it('refuses what could smuggle a second address or a header in', () => {
    for (const value of ['a@b.test, c@d.test', 'a@b.test\r\nBcc: x@y.test', 'Support <a@b.test', 'a@@b.test', '.a@b.test', 'a@b..test', 'nobody']) {
      expect(parseMailbox(value), value).toBeNull();
    }
  });
});

describe('senderMailbox', () => {
  it('throws for a MAIL_FROM that is not a mailbox (a configuration error, not a silent default)', () => {
    expect(senderMailbox('Careflow <support@shop.test>').address).toBe('support@shop.test');
    expect(() => senderMailbox('support at shop')).toThrow(/MAIL_FROM/);
  });
});
