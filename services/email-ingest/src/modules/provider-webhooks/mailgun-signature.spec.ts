import { describe, expect, it } from 'vitest';
import { signMailgun, verifyMailgunSignature } from './mailgun-signature.js';

const KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const NOW = 1_764_950_400;

describe('verifyMailgunSignature', () => {
  const token = 'c6a1fd5c7fa4b0a7e8ab3b1e2d1f0e9c8b7a6f5e4d3c2b1a09';
  const timestamp = String(NOW);
  const signature = signMailgun(KEY, timestamp, token);

  it('accepts what Mailgun signs: hex HMAC-SHA256 of timestamp + token', () => {
    expect(verifyMailgunSignature(KEY, { timestamp, token, signature }, NOW)).toBe('valid');
    expect(verifyMailgunSignature(KEY, { timestamp, token, signature: signature.toUpperCase() }, NOW + 299)).toBe('valid');
  });

  it('refuses another key, another token, a malformed signature', () => {
    expect(verifyMailgunSignature('key-other', { timestamp, token, signature }, NOW)).toBe('bad-signature');
    expect(verifyMailgunSignature(KEY, { timestamp, token: `${token}x`, signature }, NOW)).toBe('bad-signature');
    expect(verifyMailgunSignature(KEY, { timestamp, token, signature: signature.slice(2) }, NOW)).toBe('bad-signature');
    expect(verifyMailgunSignature(KEY, { timestamp: `${timestamp}.0`, token, signature }, NOW)).toBe('bad-signature');
  });

  it('calls a correctly signed post stale more than five minutes either side of now', () => {
    expect(verifyMailgunSignature(KEY, { timestamp, token, signature }, NOW + 301)).toBe('stale');
    expect(verifyMailgunSignature(KEY, { timestamp, token, signature }, NOW - 301)).toBe('stale');
  });
});
