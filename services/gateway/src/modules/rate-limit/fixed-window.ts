import type { Redis } from 'ioredis';

/** Every limit of the gateway counts in fixed one-minute windows, shared by all replicas through Redis. */
export const WINDOW_MS = 60_000;

/** INCR and set the expiry in one round trip; returns the count in this window. */
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

export interface FixedWindow {
  /** The Redis key of this window for `id`. */
  key: string;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export function currentWindow(keyPrefix: string, id: string, now = Date.now()): FixedWindow {
  const window = Math.floor(now / WINDOW_MS);
  const resetSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  return { key: `${keyPrefix}:${id}:${window}`, resetSeconds };
}

/** Counts one more event in the window and returns the window's count. */
export async function increment(redis: Redis, window: FixedWindow): Promise<number> {
  return Number(await redis.eval(INCREMENT, 1, window.key, WINDOW_MS + 1000));
}
