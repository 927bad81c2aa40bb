import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A webhook message id, the `webhook-id` header: `msg_` and a ULID (26 characters: 10 of
 * time, 16 random), so ids sort by creation and a receiver can use them to drop duplicates.
 */
export function webhookMessageId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(16);
  let rest = '';
  for (const byte of random) rest += CROCKFORD[byte % 32]!;
  return `msg_${time}${rest}`;
}
