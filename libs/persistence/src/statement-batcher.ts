interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export interface StatementBatcherOptions<I> {
  /** Inputs per statement at most. */
  maxBatch?: number;
  /**
   * Inputs with the same key never share a batch (two events of one shipment): the statement
   * may then treat its rows as independent, and the later input sees the earlier one's effect.
   */
  key?: (input: I) => string;
}

/**
 * Runs the same single-row statement of many concurrent callers as one statement over all
 * their rows. Calls made in the same tick, or while the previous batch is in flight, form the
 * next batch; each caller still gets its own result and waits for its own batch, so what a
 * caller relies on (its row committed before it goes on) holds as if it ran alone. A worker
 * handling twenty jobs at once then pays one round trip to Postgres where it paid twenty.
 *
 * `run` returns one output per input, in order; an Error output fails that caller alone. When
 * `run` throws for a batch of several, each input is run again on its own, so one input the
 * statement cannot take fails only its own caller.
 */
export class StatementBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = false;
  private readonly maxBatch: number;

  constructor(
    private readonly run: (inputs: I[]) => Promise<Array<O | Error>>,
    private readonly options: StatementBatcherOptions<I> = {},
  ) {
    this.maxBatch = options.maxBatch ?? 100;
  }

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.take();
      try {
        this.settle(batch, await this.run(batch.map((w) => w.input)));
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          continue;
        }
        for (const w of batch) {
          try {
            this.settle([w], await this.run([w.input]));
          } catch (alone) {
            w.reject(alone);
          }
        }
      }
    }
    this.running = false;
  }

  /** The next batch: the oldest inputs, at most maxBatch, no two with the same key. */
  private take(): Waiting<I, O>[] {
    const { key } = this.options;
    if (!key) return this.waiting.splice(0, this.maxBatch);
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    for (const w of this.waiting) {
      const k = key(w.input);
      if (batch.length < this.maxBatch && !keys.has(k)) {
        keys.add(k);
        batch.push(w);
      } else {
        rest.push(w);
      }
    }
    this.waiting = rest;
    return batch;
  }

  private settle(batch: Waiting<I, O>[], outputs: Array<O | Error>): void {
    if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} returned ${outputs.length} results`);
    batch.forEach((w, i) => {
      const output = outputs[i]!;
      if (output instanceof Error) w.reject(output);
      else w.resolve(output);
    });
  }
}
