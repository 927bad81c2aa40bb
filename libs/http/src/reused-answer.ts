/**
 * An answer worth computing at most once per `ttlMs`: callers within that time after it was
 * computed get it again, and callers arriving while it is being computed wait for that same
 * computation instead of starting their own. With `ttlMs` 0 only the second holds.
 */
export class ReusedAnswer<T> {
  private current?: { answer: Promise<T>; expiresAt: number };

  constructor(
    private readonly ttlMs: number,
    private readonly compute: () => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.current && this.current.expiresAt > this.now()) return this.current.answer;
    const entry = { answer: this.compute(), expiresAt: Infinity };
    this.current = entry;
    const settled = () => {
      entry.expiresAt = this.now() + this.ttlMs;
    };
    entry.answer.then(settled, settled);
    return entry.answer;
  }
}
