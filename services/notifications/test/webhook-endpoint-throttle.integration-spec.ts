import type { WorkerRuntime } from '@careflow/messaging';
import { deleteKeys, TEST_REDIS_URL, uniqueQueuePrefix } from '@careflow/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { NotificationsConfig } from '../src/config/notifications.config.js';
import { EndpointThrottle, type ThrottleDecision } from '../src/modules/webhook-deliveries/endpoint-throttle.js';

/** The per-endpoint limits live in Redis, shared by every worker of every replica. */
describe('webhook endpoint throttle (real Redis)', () => {
  const prefix = uniqueQueuePrefix();
  const redis = new Redis(TEST_REDIS_URL);
  const config = Object.assign(new NotificationsConfig(), { WEBHOOK_ENDPOINT_CONCURRENCY: 2, WEBHOOK_TIMEOUT_MS: 1000 });
  const throttle = new EndpointThrottle(redis, { prefix } as WorkerRuntime, config);
  afterAll(async () => {
    await throttle.onApplicationShutdown();
    await deleteKeys(prefix);
    redis.disconnect();
  });

  it('lets at most WEBHOOK_ENDPOINT_CONCURRENCY attempts run at one endpoint, and no fewer at another', async () => {
    const slow = randomUUID();
    const first = await throttle.acquire(slow, 'a', null);
    const second = await throttle.acquire(slow, 'b', null);
    expect([first.taken, second.taken]).toEqual([true, true]);
    // The third waits for a slot (it is not given one beside the two).
    let third: ThrottleDecision | undefined;
    const waiting = throttle.acquire(slow, 'c', null).then((d) => (third = d));
    await new Promise((r) => setTimeout(r, 100));
    expect(third).toBeUndefined();
    // Another endpoint is not held up by the slow one.
    expect((await throttle.acquire(randomUUID(), 'd', null)).taken).toBe(true);
    // A slot released here goes to the attempt waiting for it at once.
    if (first.taken) await first.release();
    await waiting;
    expect(third?.taken).toBe(true);
    expect(await redis.zrange(`${prefix}:webhook-endpoint:${slow}:inflight`, 0, -1)).toEqual(expect.arrayContaining(['b', 'c']));
  });

  it('gives attempts asking in the same moment (one call to Redis) no more slots than the endpoint has', async () => {
    const endpoint = randomUUID();
    const other = randomUUID();
    const settled: Array<ThrottleDecision | undefined> = [];
    const asked = ['a', 'b', 'c', 'd'].map((token, i) => throttle.acquire(endpoint, token, null).then((d) => (settled[i] = d)));
    const elsewhere = await throttle.acquire(other, 'e', null);
    await new Promise((r) => setTimeout(r, 100));
    expect(elsewhere.taken).toBe(true);
    expect(settled.filter((d) => d?.taken)).toHaveLength(2);
    expect(await redis.zcard(`${prefix}:webhook-endpoint:${endpoint}:inflight`)).toBe(2);
    // Releasing both (one call) lets the two waiting ones in.
    await Promise.all(settled.filter((d): d is ThrottleDecision & { taken: true } => d?.taken === true).map((d) => d.release()));
    await Promise.all(asked);
    expect(settled.map((d) => d!.taken)).toEqual([true, true, true, true]);
    expect((await redis.zrange(`${prefix}:webhook-endpoint:${endpoint}:inflight`, 0, -1)).sort()).toEqual(['c', 'd']);
  });

  it('lets as many attempts wait for an endpoint as it has slots; the others go back to the queue for a while', async () => {
    const busy = randomUUID();
    await throttle.acquire(busy, 'a', null);
    await throttle.acquire(busy, 'b', null);
    const waiters = [throttle.acquire(busy, 'w1', null), throttle.acquire(busy, 'w2', null)];
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const refused = await throttle.acquire(busy, 'x', null);
    expect(refused.taken).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000); // not waiting: two already do
    if (!refused.taken) expect(refused.retryInMs).toBeGreaterThanOrEqual(1_000);
    // No slot frees: the waiters give up after a while and go back to the queue too.
    for (const d of await Promise.all(waiters)) expect(d.taken).toBe(false);
  });

  it('frees the slot of a worker that died once its lease ends', async () => {
    const endpoint = randomUUID();
    await throttle.acquire(endpoint, 'dead-1', null);
    await throttle.acquire(endpoint, 'dead-2', null);
    expect((await throttle.acquire(endpoint, 'x', null)).taken).toBe(false);
    // The lease is WEBHOOK_TIMEOUT_MS + 5 s: move it into the past rather than wait.
    await redis.zadd(`${prefix}:webhook-endpoint:${endpoint}:inflight`, 1, 'dead-1', 1, 'dead-2');
    // (the refused attempt above waited for a slot here first, in vain: none was freed in this process)
    expect((await throttle.acquire(endpoint, 'y', null)).taken).toBe(true);
  });

  it('keeps to the endpoint\'s rate limit per second', async () => {
    const endpoint = randomUUID();
    const decisions = [];
    for (let i = 0; i < 10; i++) {
      const d = await throttle.acquire(endpoint, `r${i}`, 3);
      decisions.push(d);
      if (d.taken) await d.release();
    }
    // Ten at once with a limit of 3 per second: 3 taken (6 if a second boundary fell between them).
    const taken = decisions.filter((d) => d.taken).length;
    expect(taken).toBeGreaterThanOrEqual(3);
    expect(taken).toBeLessThanOrEqual(6);
    for (const d of decisions) if (!d.taken) expect(d.retryInMs).toBeLessThanOrEqual(1050);
  });
});
