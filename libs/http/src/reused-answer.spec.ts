import { describe, expect, it } from 'vitest';
import { ReusedAnswer } from './reused-answer.js';

/** A computation the test finishes by hand, counting how often it was started. */
function manual() {
  let calls = 0;
  const finishers: Array<(value: number) => void> = [];
  const compute = () => {
    calls += 1;
    return new Promise<number>((resolve) => finishers.push(resolve));
  };
  return { compute, calls: () => calls, finish: (i: number, value: number) => finishers[i]!(value) };
}

describe('ReusedAnswer', () => {
  it('lets callers arriving together share one computation', async () => {
    const work = manual();
    const answer = new ReusedAnswer(0, work.compute);
    const all = Promise.all([answer.get(), answer.get(), answer.get()]);
    work.finish(0, 7);
    expect(await all).toEqual([7, 7, 7]);
    expect(work.calls()).toBe(1);
  });

  it('reuses the answer until ttl has passed since it was computed, then computes again', async () => {
    let now = 1_000;
    const work = manual();
    const answer = new ReusedAnswer(2_000, work.compute, () => now);
    const first = answer.get();
    now += 5_000; // a slow check: the ttl counts from its end, not its start
    work.finish(0, 1);
    expect(await first).toBe(1);
    now += 1_999;
    expect(await answer.get()).toBe(1);
    expect(work.calls()).toBe(1);
    now += 1;
    const second = answer.get();
    work.finish(1, 2);
    expect(await second).toBe(2);
    expect(work.calls()).toBe(2);
  });

  it('reuses a failed computation for the ttl as well', async () => {
    let now = 0;
    let calls = 0;
    const answer = new ReusedAnswer(
      1_000,
      async () => {
        calls += 1;
        throw new Error('down');
      },
      () => now,
    );
    await expect(answer.get()).rejects.toThrow('down');
    await expect(answer.get()).rejects.toThrow('down');
    expect(calls).toBe(1);
    now = 1_000;
    await expect(answer.get()).rejects.toThrow('down');
    expect(calls).toBe(2);
  });
});
