import { REDIS, WorkerRuntime } from '@careflow/messaging';
import { StatementBatcher } from '@careflow/persistence';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { NotificationsConfig } from '../../config/notifications.config.js';

/**
 * Takes a slot for each of several attempts (the ones a worker asks for in the same moment),
 * in order, so two attempts at one endpoint see each other. For each: a slot is free when the
 * attempts in flight at its endpoint (a sorted set of tokens scored by the time their lease
 * ends, so a dead worker's slot frees itself) are below the concurrency limit, and the attempts
 * started this second below the endpoint's rate limit. Returns, per attempt, 0 when taken, -1
 * when the endpoint is at its concurrency, else the milliseconds until the next second (rate
 * limit). Redis' clock, one script: every worker agrees.
 *
 * KEYS: per attempt its endpoint's in-flight set and rate counter prefix. ARGV: the lease (ms),
 * then per attempt its token, concurrency and rate limit (0: none).
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local results = {}
for i = 1, #KEYS / 2 do
  local inflight = KEYS[2 * i - 1]
  local token, concurrency, rate = ARGV[3 * i - 1], tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
  local result = 0
  if redis.call('ZCARD', inflight) >= concurrency then
    result = -1
  elseif rate > 0 then
    local key = KEYS[2 * i] .. ':' .. t[1]
    local n = redis.call('INCR', key)
    if n == 1 then redis.call('PEXPIRE', key, 2000) end
    if n > rate then result = 1000 - math.floor(tonumber(t[2]) / 1000) end
  end
  if result == 0 then
    redis.call('ZADD', inflight, now + lease, token)
    redis.call('PEXPIRE', inflight, lease + 1000)
  end
  results[i] = result
end
return results`;

/** Frees slots: KEYS are in-flight sets, ARGV per key the number of its tokens, then the tokens. */
const RELEASE = `
local at = #KEYS + 1
for i = 1, #KEYS do
  local n = tonumber(ARGV[i])
  redis.call('ZREM', KEYS[i], unpack(ARGV, at, at + n - 1))
  at = at + n
end
return 0`;

type SlotCommands = Redis & {
  acquireEndpointSlots(keys: number, ...args: Array<string | number>): Promise<number[]>;
  releaseEndpointSlots(keys: number, ...args: Array<string | number>): Promise<number>;
};

interface SlotRequest {
  inflight: string;
  rate: string;
  token: string;
  rateLimit: number;
}

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
  /** A connection of its own; the scripts are sent once and then run by their hashes. */
  private readonly redis: SlotCommands;
  /** The attempts asking for a slot in the same moment ask Redis together: one script call for all. */
  private readonly acquisitions = new StatementBatcher<SlotRequest, number>((requests) => this.acquireAll(requests), { maxBatch: 200 });
  /** Slots freed in the same moment are freed together. */
  private readonly releases = new StatementBatcher<{ inflight: string; token: string }, true>((freed) => this.releaseAll(freed), { maxBatch: 500 });
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
    this.redis.defineCommand('acquireEndpointSlots', { lua: ACQUIRE });
    this.redis.defineCommand('releaseEndpointSlots', { lua: RELEASE });
  }

  async acquire(endpointId: string, token: string, rateLimit: number | null): Promise<ThrottleDecision> {
    const inflight = `${this.prefix}:${endpointId}:inflight`;
    const request: SlotRequest = { inflight, rate: `${this.prefix}:${endpointId}:rate`, token, rateLimit: rateLimit ?? 0 };
    const deadline = Date.now() + LOCAL_WAIT_MS;
    for (;;) {
      const result = await this.acquisitions.submit(request);
      if (result === 0) {
        return {
          taken: true,
          release: async () => {
            await this.releases.submit({ inflight, token }).catch(() => true);
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

  private async acquireAll(requests: SlotRequest[]): Promise<number[]> {
    const keys = requests.flatMap((r) => [r.inflight, r.rate]);
    const args = requests.flatMap((r) => [r.token, this.config.WEBHOOK_ENDPOINT_CONCURRENCY, r.rateLimit]);
    const results = await this.redis.acquireEndpointSlots(keys.length, ...keys, this.config.WEBHOOK_TIMEOUT_MS + 5_000, ...args);
    return results.map(Number);
  }

  private async releaseAll(freed: Array<{ inflight: string; token: string }>): Promise<true[]> {
    const byKey = new Map<string, string[]>();
    for (const { inflight, token } of freed) {
      const tokens = byKey.get(inflight);
      if (tokens) tokens.push(token);
      else byKey.set(inflight, [token]);
    }
    const keys = [...byKey.keys()];
    const tokens = [...byKey.values()];
    await this.redis.releaseEndpointSlots(keys.length, ...keys, ...tokens.map((t) => t.length), ...tokens.flat());
    return freed.map(() => true as const);
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
