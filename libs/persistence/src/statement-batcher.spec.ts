import { describe, expect, it } from 'vitest';
import { StatementBatcher } from './statement-batcher.js';

describe('StatementBatcher', () => {
  it('runs the calls of one tick as one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>(async (inputs) => {
      batches.push(inputs);
      return inputs.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gathers calls made while a batch is in flight into the next one, at most maxBatch each', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new StatementBatcher<number, number>(
      async (inputs) => {
        batches.push(inputs);
        if (batches.length === 1) await gate;
        return inputs;
      },
      { maxBatch: 2 },
    );
    const first = batcher.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('never puts two inputs with the same key into one batch, and keeps their order', async () => {
    const batches: string[][] = [];
    const batcher = new StatementBatcher<string, string>(
      async (inputs) => {
        batches.push(inputs);
        return inputs;
      },
      { key: (s) => s.slice(0, 1) },
    );
    await Promise.all(['a1', 'b1', 'a2', 'c1', 'a3'].map((s) => batcher.submit(s)));
    expect(batches).toEqual([['a1', 'b1', 'c1'], ['a2'], ['a3']]);
  });

  it('fails only the caller whose output is an error', async () => {
    const batcher = new StatementBatcher<number, number>(async (inputs) => inputs.map((n) => (n === 2 ? new RangeError('two') : n)));
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('runs each input alone when the batch statement fails, so one bad input fails only its caller', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>(async (inputs) => {
      batches.push(inputs);
      if (inputs.includes(2)) throw new Error('statement failed');
      return inputs;
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });
});
