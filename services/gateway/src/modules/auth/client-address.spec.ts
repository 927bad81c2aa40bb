import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressBucket, clientAddress } from './client-address.js';

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the connection\'s address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('203.0.113.9', '198.51.100.1'), 0)).toBe('203.0.113.9');
  });

  it('takes the entry the trusted proxies appended, not what the client wrote before them', () => {
    // The client forged "1.1.1.1"; the ingress appended the address it saw.
    expect(clientAddress(request('10.0.0.5', '1.1.1.1, 198.51.100.7'), 1)).toBe('198.51.100.7');
    expect(clientAddress(request('10.0.0.5', '1.1.1.1, 198.51.100.7, 10.0.0.9'), 2)).toBe('198.51.100.7');
    expect(clientAddress(request('10.0.0.5', '198.51.100.7'), 2)).toBe('198.51.100.7');
  });

  it('falls back to the connection\'s address without the header', () => {
    expect(clientAddress(request('10.0.0.5'), 1)).toBe('10.0.0.5');
  });
});

describe('addressBucket', () => {
  it('keeps IPv4 addresses and unwraps IPv4-mapped IPv6 ones', () => {
    expect(addressBucket('198.51.100.7')).toBe('198.51.100.7');
    expect(addressBucket('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('counts an IPv6 address by its /64', () => {
    expect(addressBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2::7')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('1::2:3:4:5:6:7')).toBe('1:0:2:3::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
