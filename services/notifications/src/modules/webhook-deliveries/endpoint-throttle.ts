import { REDIS, WorkerRuntime } from '@careflow/messaging';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { NotificationsConfig } from '../../config/notifications.config.js';

/**
 * Takes a slot of an endpoint if it has one free: attempts in flight (a sorted set of tokens
 * scored by the time their lease ends, so a dead worker's slot frees itself) below the
 * concurrency limit, and attempts started this second below the endpoint's rate limit.
 * Returns 0 when taken, -1 when the endpoint is at its concurrency, else the milliseconds
 * until the next second (rate limit). Redis' clock, one script: every worker agrees.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local rate = tonumber(ARGV[4])
if rate > 0 then
  local key = KEYS[2] .. ':' .. t[1]
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, 2000) end
  if n > rate then return 1000 - math.floor(tonumber(t[2]) / 1000) end
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 1000)
return 0`;

type SlotCommands = Redis & {
  acquireEndpointSlot(inflight: string, rate: string, token: string, concurrency: number, leaseMs: number, rateLimit: number): Promise<number>;
};

export type ThrottleDecision = { taken: true; release: () => Promise<void> } | { taken: false; retryInMs: number };

/**
 * The per-endpoint limits over every worker of every replica (BullMQ has no per-group
 * concurrency): WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight, and the endpoint's own
 * `rate_limit` per second. One slow receiver holds at most its own slots, never every worker.
 */
@Injectable()
export class EndpointThrottle implements OnApplicationShutdown {
  private readonly prefix: string;
  /**
   * A connection of its own that pipelines the commands of concurrent attempts (one write and
   * one read for all of them), the script sent once and then run by its hash.
   */
  private readonly redis: SlotCommands;

  constructor(
    @Inject(REDIS) redis: Redis,
    runtime: WorkerRuntime,
    private readonly config: NotificationsConfig,
  ) {
    this.prefix = `${runtime.prefix}:webhook-endpoint`;
    this.redis = redis.duplicate({ connectionName: 'webhook-endpoint-throttle', enableAutoPipelining: true, lazyConnect: true }) as SlotCommands;
    this.redis.defineCommand('acquireEndpointSlot', { numberOfKeys: 2, lua: ACQUIRE });
  }

  async acquire(endpointId: string, token: string, rateLimit: number | null): Promise<ThrottleDecision> {
    const inflight = `${this.prefix}:${endpointId}:inflight`;
    const leaseMs = this.config.WEBHOOK_TIMEOUT_MS + 5_000;
    const result = Number(
      await this.redis.acquireEndpointSlot(inflight, `${this.prefix}:${endpointId}:rate`, token, this.config.WEBHOOK_ENDPOINT_CONCURRENCY, leaseMs, rateLimit ?? 0),
    );
    if (result === 0) {
      return { taken: true, release: async () => void (await this.redis.zrem(inflight, token).catch(() => 0)) };
    }
    // At its concurrency: look again soon, spread so waiting jobs do not all come back at once.
    return { taken: false, retryInMs: result < 0 ? 200 + Math.floor(Math.random() * 300) : result + Math.floor(Math.random() * 50) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
