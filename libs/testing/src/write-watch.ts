import type pg from 'pg';
import { DATA_SCHEMAS, schemaChanges, schemaState, waitForQuietSchemas, type SchemaState } from './schema-state.js';

export type SchemaChanges = ReturnType<typeof schemaChanges>;

/**
 * Tells whether a request wrote anything: the state of the data schemas before and after it.
 * Fixtures a test writes on purpose cause jobs (projections, mail) that write on their own a
 * moment later; after `touched()` the next check first waits until those are done.
 */
export class WriteWatch {
  private settled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schemas: readonly string[] = DATA_SCHEMAS,
    /** Work known to be still under way (mail waiting for the SMTP server), which a quiet half-second does not prove done. */
    private readonly busy: () => Promise<boolean> = async () => false,
  ) {}

  /** Something was written on purpose: let what it causes finish before the next check. */
  touched(): void {
    this.settled = false;
  }

  /** Runs `action` and returns what it wrote (tables whose rows changed; empty when none). */
  async around<T>(action: () => PromiseLike<T>): Promise<{ result: T; changes: SchemaChanges }> {
    if (!this.settled) {
      const deadline = Date.now() + 15_000;
      while ((await this.busy()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await waitForQuietSchemas(this.pool, this.schemas);
      this.settled = true;
    }
    const before: SchemaState = await schemaState(this.pool, this.schemas);
    const result = await action();
    const after = await schemaState(this.pool, this.schemas);
    return { result, changes: schemaChanges(before, after) };
  }
}
