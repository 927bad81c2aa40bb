import { describe, expect, it } from 'vitest';
import { deliveryHeaders, domainOf, rfc5322Date } from './delivery-headers.js';

const base = {
  mailFrom: 'lan.nguyen@example.com',
  recipients: ['support@shop.example'],
  helo: 'mail.example.com',
  remoteAddress: '203.0.113.7',
  hostname: 'mx.shop.example',
  transmission: 'ESMTP' as const,
  sessionId: 'abc123',
  receivedAt: new Date(Date.UTC(2025, 11, 2, 14, 3, 9)),
};

describe('deliveryHeaders', () => {
  it('writes Return-Path, one Delivered-To per recipient and a Received line, CRLF-terminated', () => {
    const text = deliveryHeaders(base).toString('utf8');
    expect(text).toBe(
      'Return-Path: <lan.nguyen@example.com>\r\n' +
        'Delivered-To: support@shop.example\r\n' +
        'Received: from mail.example.com ([203.0.113.7])\r\n\tby mx.shop.example (Careflow) with ESMTP id abc123\r\n\tfor <support@shop.example>;\r\n\tTue, 2 Dec 2025 14:03:09 +0000\r\n',
    );
  });

  it('names no recipient in Received when there are several, and keeps an empty sender (a bounce) as <>', () => {
    const text = deliveryHeaders({ ...base, mailFrom: '', recipients: ['support@shop.example', 'billing@shop.example'] }).toString('utf8');
    expect(text).toContain('Return-Path: <>\r\n');
    expect(text).toContain('Delivered-To: support@shop.example\r\nDelivered-To: billing@shop.example\r\n');
    expect(text).not.toContain('for <');
  });

  it('drops what a client could use to bend a header line', () => {
    const text = deliveryHeaders({ ...base, helo: 'evil\r\nBcc: x@y; <z>', recipients: ['a b@shop.example'] }).toString('utf8');
    expect(text.split('\r\n').filter((l) => /^bcc:/i.test(l))).toEqual([]);
    expect(text).toContain('from evilBcc:x@yz ([');
    expect(text).toContain('Delivered-To: ab@shop.example');
  });
});

describe('rfc5322Date and domainOf', () => {
  it('formats dates in UTC', () => {
    expect(rfc5322Date(new Date(Date.UTC(2026, 0, 5, 3, 4, 5)))).toBe('Mon, 5 Jan 2026 03:04:05 +0000');
  });

  it('takes the domain after the last @, lower-cased, without a trailing dot', () => {
    expect(domainOf('Support@Shop.Example')).toBe('shop.example');
    expect(domainOf('"a@b"@shop.example.')).toBe('shop.example');
    expect(domainOf('postmaster')).toBe('');
  });
});
