import { describe, expect, it } from 'vitest';
import { describeImapError, imapOptions, retryDelay } from './imap-connection.js';

describe('IMAP connection settings', () => {
  const mailbox = { host: 'imap.shop.test', port: 993, username: 'support@shop.test' };

  it('maps tls and the credential to imapflow options', () => {
    expect(imapOptions({ ...mailbox, tls: 'implicit', authMethod: 'password' }, 'pw', 1000)).toMatchObject({ secure: true, auth: { user: 'support@shop.test', pass: 'pw' } });
    expect(imapOptions({ ...mailbox, tls: 'starttls', authMethod: 'password' }, 'pw', 1000)).toMatchObject({ secure: false, doSTARTTLS: true });
    expect(imapOptions({ ...mailbox, tls: 'none', authMethod: 'password' }, 'pw', 1000)).toMatchObject({ secure: false, doSTARTTLS: false });
    const oauth = imapOptions({ ...mailbox, tls: 'implicit', authMethod: 'xoauth2' }, 'ya29.token', 1000);
    expect(oauth.auth).toEqual({ user: 'support@shop.test', accessToken: 'ya29.token' });
  });

  it('describes failures without control characters and within bounds', () => {
    expect(describeImapError(Object.assign(new Error('Command failed'), { authenticationFailed: true, response: 'Authentication failed.' }))).toBe(
      'authentication failed: Authentication failed.',
    );
    expect(describeImapError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('connection refused');
    expect(describeImapError(new Error('a\r\nb'))).toBe('a b');
    expect(describeImapError(new Error('y'.repeat(2000))).length).toBe(500);
  });

  it('backs off exponentially up to the cap, never hot', () => {
    const mid = () => 0.5;
    expect(retryDelay(0, 1000, 60_000, mid)).toBe(0);
    expect(retryDelay(1, 1000, 60_000, mid)).toBe(1000);
    expect(retryDelay(3, 1000, 60_000, mid)).toBe(4000);
    expect(retryDelay(50, 1000, 60_000, mid)).toBe(60_000);
    expect(retryDelay(50, 1000, 60_000, () => 0)).toBe(48_000);
  });
});
