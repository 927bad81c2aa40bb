import type { JobName, JobPayload } from '@careflow/contracts';
import { RequestContext } from '@careflow/platform';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { SqlParams } from './sql-params.js';

/**
 * An event and its payload, typed by the event's name; `requestId` when the event belongs to
 * another request than the one being handled (a batch written for several requests), `key`
 * to match it with the row of the statement it belongs to (see `insertSql`).
 */
export type OutboxEvent = { [N in JobName]: { event: N; payload: JobPayload<N>; requestId?: string | null; key?: string } }[JobName];

export interface OutboxRow {
  id: string;
  seq: string;
  event: JobName;
  payload: Record<string, unknown>;
  requestId: string | null;
  createdAt: Date;
}

export interface OutboxOptions {
  /**
   * Events written only when `condition` (SQL over the event name's column) holds in the
   * statement that writes them. The notifications service writes the events whose one consumer
   * is its own webhook fan-in only while an enabled endpoint subscribes to them: for most shops,
   * most of the time, nothing (the fan-in would drop them, after a relay pass, a job and a
   * ledger row each). An endpoint receives the events that happen after it subscribed.
   */
  conditional?: { events: readonly JobName[]; condition: (event: string) => string };
}

/**
 * The transactional outbox of one schema. `enqueue` must be called with the EntityManager of
 * the transaction that makes the change, so the change and its announcement commit together
 * or not at all. The relay (messaging lib) turns committed rows into BullMQ jobs.
 */
export class Outbox {
  readonly table: string;
  private readonly conditional: ReadonlySet<string>;

  constructor(
    readonly schema: string,
    private readonly options: OutboxOptions = {},
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.outbox`;
    this.conditional = new Set(options.conditional?.events ?? []);
  }

  /** Writes the event; returns its id, or null when it is a conditional event whose condition did not hold. */
  async enqueue<N extends JobName>(tx: EntityManager, event: N, payload: JobPayload<N>): Promise<string | null> {
    const [id] = await this.enqueueMany(tx, [{ event, payload } as OutboxEvent]);
    return id ?? null;
  }

  /**
   * `enqueue` for many events at once: one statement, each event with its own request id.
   * Returns the ids of the rows written (conditional events whose condition did not hold are not).
   */
  async enqueueMany(tx: EntityManager, events: readonly OutboxEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    if (!tx.queryRunner?.isTransactionActive) {
      throw new Error(`Outbox.enqueue(${events[0]!.event}) outside a transaction would break atomicity`);
    }
    const q = new SqlParams();
    const rows: Array<{ id: string }> = await tx.query(`${this.insertSql(q, events)} RETURNING id`, q.values);
    return rows.map((r) => r.id);
  }

  /**
   * An INSERT of outbox rows for use as one part (a CTE) of a larger statement, so a change
   * and its events are written by one statement, atomically, without a transaction's extra
   * round trips. With `from` (a CTE of the same statement, e.g. `changed`), the rows are
   * written once per row of it that matches `on` (a condition on `e.key` and its columns), so
   * the statement decides which events happen; `payload` may complete each payload with what
   * only that statement knows (the status a locked row had).
   */
  insertSql(
    q: SqlParams,
    events: readonly OutboxEvent[],
    options: { from?: string; on?: string; payload?: (payload: string) => string } = {},
  ): string {
    const names = q.add(events.map((e) => e.event));
    const payloads = q.add(events.map((e) => JSON.stringify(e.payload)));
    const requestIds = q.add(events.map((e) => (e.requestId === undefined ? (RequestContext.requestId() ?? null) : e.requestId)));
    const keys = q.add(events.map((e) => e.key ?? null));
    const source = options.from ? ` JOIN ${options.from} ON ${options.on ?? 'true'}` : '';
    const condition = this.options.conditional && events.some((e) => this.conditional.has(e.event))
      ? ` WHERE (e.event <> ALL(${q.add([...this.conditional])}::text[]) OR ${this.options.conditional.condition('e.event')})`
      : '';
    return `INSERT INTO ${this.table} (event, payload, request_id)
      SELECT e.event, ${options.payload ? options.payload('e.payload') : 'e.payload'}, e.request_id
        FROM unnest(${names}::text[], ${payloads}::jsonb[], ${requestIds}::text[], ${keys}::text[]) AS e(event, payload, request_id, key)${source}${condition}`;
  }

  /**
   * An INSERT (a CTE, as `insertSql`) of one outbox row standing for every row of `from`, and
   * of none when `from` is empty: an event that carries a batch (the messages one statement
   * recorded). `payload` and `requestId` are aggregate expressions over `from`.
   */
  insertAggregateSql(q: SqlParams, event: JobName, from: string, aggregate: { payload: string; requestId: string }): string {
    return `INSERT INTO ${this.table} (event, payload, request_id)
      SELECT ${q.add(event)}::text, ${aggregate.payload}, ${aggregate.requestId} FROM ${from} HAVING count(*) > 0`;
  }
}
