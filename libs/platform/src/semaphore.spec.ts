import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('runs at most `limit` calls at once, the others in the order they came', async () => {
    const semaphore = new Semaphore(2);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const calls = [0, 1, 2, 3, 4].map((i) =>
      semaphore.run(async () => {
        started.push(i);
        most = Math.max(most, ++inFlight);
        await new Promise<void>((r) => releases.push(r));
        inFlight--;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    while (releases.length > 0) {
      releases.shift()!();
      await tick();
    }
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('frees the slot of a call that throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(semaphore.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses a limit below 1', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
