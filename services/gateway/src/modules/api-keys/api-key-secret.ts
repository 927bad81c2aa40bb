import { createHash, randomBytes } from 'node:crypto';

/**
 * Keys look like `cf_3kq9x2mv_<43 url-safe characters>`: 256 bits of randomness after a
 * short public prefix. High-entropy keys need no slow hash: SHA-256 is enough and keeps
 * authentication cheap.
 */
export function generateApiKey(): { key: string; prefix: string } {
  const id = randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x').slice(0, 8);
  const prefix = `cf_${id}`;
  return { key: `${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export function prefixOf(key: string): string {
  const match = /^(cf_[a-z0-9]{8})_/.exec(key);
  return match ? match[1]! : key.slice(0, 11);
}
