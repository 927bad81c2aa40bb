interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs the same single-row statement of many concurrent callers as one statement over all
 * their rows. Calls made in the same tick, or while the previous batch is in flight, form the
 * next batch; each caller still gets its own result and waits for its own batch, so what a
 * caller relies on (its row committed before it goes on) holds as if it ran alone. A worker
 * handling twenty jobs at once then pays one round trip to Postgres where it paid twenty.
 */
export class StatementBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = false;

  /** `run` gets the inputs of one batch and returns one output per input, in the same order. */
  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly maxBatch = 100,
  ) {}

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
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const outputs = await this.run(batch.map((w) => w.input));
        if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} returned ${outputs.length} results`);
        batch.forEach((w, i) => w.resolve(outputs[i]!));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.running = false;
  }
}
