import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a Mailgun timestamp may be from our clock, either way; also how long a token is remembered. */
export const MAILGUN_MAX_SKEW_SECONDS = 300;

export type MailgunVerdict = 'valid' | 'bad-signature' | 'stale';

/**
 * Mailgun signs each post: `signature` is the hex HMAC-SHA256 of `timestamp` + `token` with
 * the webhook signing key. Compared in constant time; a valid signature on a timestamp more
 * than MAILGUN_MAX_SKEW_SECONDS away is `stale` (a captured request replayed later).
 */
export function verifyMailgunSignature(
  signingKey: string,
  fields: { timestamp: string; token: string; signature: string },
  nowSeconds = Math.floor(Date.now() / 1000),
): MailgunVerdict {
  if (!/^\d{1,12}$/.test(fields.timestamp) || !/^[0-9a-f]{64}$/i.test(fields.signature)) return 'bad-signature';
  const expected = createHmac('sha256', signingKey).update(fields.timestamp + fields.token).digest();
  if (!timingSafeEqual(expected, Buffer.from(fields.signature, 'hex'))) return 'bad-signature';
  return Math.abs(nowSeconds - Number(fields.timestamp)) > MAILGUN_MAX_SKEW_SECONDS ? 'stale' : 'valid';
}

/** What Mailgun would send for `timestamp` and `token` (tests, and the README's curl example). */
export function signMailgun(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey).update(timestamp + token).digest('hex');
}
