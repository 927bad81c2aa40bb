import { Redis } from 'ioredis';

/**
 * A Redis connection suitable for BullMQ: commands wait for a reconnect instead of failing
 * (BullMQ requires maxRetriesPerRequest: null for workers).
 */
export function createRedisConnection(url: string, connectionName: string): Redis {
  return new Redis(url, {
    connectionName,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}
