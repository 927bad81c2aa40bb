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

/** How long an attempt waits in this process for a slot of its endpoint before it is put back as a delayed job. */
const LOCAL_WAIT_MS = 2_000;
/** One wait for a slot freed here; longer only if no slot is freed (another replica may free one meanwhile). */
const WAIT_ROUND_MS = 250;

/**
 * The per-endpoint limits over every worker of every replica (BullMQ has no per-group
 * concurrency): WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight, and the endpoint's own
 * `rate_limit` per second. One slow receiver holds at most its own slots, never every worker.
 *
 * An attempt that finds its endpoint at its concurrency waits here for a slot this process
 * frees, so a busy endpoint's slots never stand idle while its next deliveries sleep as
 * delayed jobs. Waiting holds a worker slot, so few may wait: per endpoint as many as it has
 * slots, in all half the worker's concurrency (the rest serve other endpoints). The others,
 * and one that waited LOCAL_WAIT_MS in vain, go back to the queue for a second or two.
 */
@Injectable()
export class EndpointThrottle implements OnApplicationShutdown {
  private readonly prefix: string;
  /**
   * A connection of its own that pipelines the commands of concurrent attempts (one write and
   * one read for all of them), the script sent once and then run by its hash.
   */
  private readonly redis: SlotCommands;
  /** Attempts of this process waiting for a slot, by endpoint, oldest first. */
  private readonly waiting = new Map<string, Array<() => void>>();
  private waitingCount = 0;

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
    const deadline = Date.now() + LOCAL_WAIT_MS;
    for (;;) {
      const result = Number(
        await this.redis.acquireEndpointSlot(inflight, `${this.prefix}:${endpointId}:rate`, token, this.config.WEBHOOK_ENDPOINT_CONCURRENCY, leaseMs, rateLimit ?? 0),
      );
      if (result === 0) {
        return {
          taken: true,
          release: async () => {
            await this.redis.zrem(inflight, token).catch(() => 0);
            this.wakeOne(endpointId);
          },
        };
      }
      // Over its rate limit: the milliseconds until the next second.
      if (result > 0) return { taken: false, retryInMs: result + Math.floor(Math.random() * 50) };
      if (Date.now() >= deadline || !(await this.waitForSlot(endpointId, Math.min(WAIT_ROUND_MS, deadline - Date.now())))) {
        // Spread, so the deliveries put back do not all come back at once.
        return { taken: false, retryInMs: 1_000 + Math.floor(Math.random() * 1_000) };
      }
    }
  }

  /** Waits until a slot of the endpoint is freed here or `ms` passed; false when no wait is allowed now. */
  private async waitForSlot(endpointId: string, ms: number): Promise<boolean> {
    const queue = this.waiting.get(endpointId) ?? [];
    if (queue.length >= this.config.WEBHOOK_ENDPOINT_CONCURRENCY || this.waitingCount >= Math.floor(this.config.WEBHOOK_WORKER_CONCURRENCY / 2)) return false;
    this.waiting.set(endpointId, queue);
    this.waitingCount++;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = queue.indexOf(wake);
        if (at >= 0) queue.splice(at, 1);
        resolve();
      }, ms);
      queue.push(wake);
    });
    this.waitingCount--;
    if (queue.length === 0 && this.waiting.get(endpointId) === queue) this.waiting.delete(endpointId);
    return true;
  }

  private wakeOne(endpointId: string): void {
    this.waiting.get(endpointId)?.shift()?.();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
