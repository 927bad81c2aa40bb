import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A BullMQ key prefix of one test file: its jobs are invisible to every other file. */
export function uniqueQueuePrefix(): string {
  return `cft_${randomBytes(5).toString('hex')}`;
}

/**
 * Deletes every Redis key under the prefix (the file's queues, rate-limit counters) in ONE
 * command, so it is a consistent loss as a Redis restart is: deleting batch by batch while the
 * services keep writing could leave a job half there (its hash without its queue entry).
 */
export async function deleteKeys(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of found) keys.add(key);
    } while (cursor !== '0');
    return keys.size > 0 ? await redis.del(...keys) : 0;
  } finally {
    redis.disconnect();
  }
}
