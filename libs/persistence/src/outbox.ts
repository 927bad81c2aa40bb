import type { JobName, JobPayload } from '@careflow/contracts';
import { RequestContext } from '@careflow/platform';
import pg from 'pg';
import type { EntityManager } from 'typeorm';

export interface OutboxRow {
  id: string;
  seq: string;
  event: JobName;
  payload: Record<string, unknown>;
  requestId: string | null;
  createdAt: Date;
}

/**
 * The transactional outbox of one schema. `enqueue` must be called with the EntityManager of
 * the transaction that makes the change, so the change and its announcement commit together
 * or not at all. The relay (messaging lib) turns committed rows into BullMQ jobs.
 */
export class Outbox {
  private readonly table: string;

  constructor(readonly schema: string) {
    this.table = `${pg.escapeIdentifier(schema)}.outbox`;
  }

  async enqueue<N extends JobName>(tx: EntityManager, event: N, payload: JobPayload<N>): Promise<string> {
    if (!tx.queryRunner?.isTransactionActive) {
      throw new Error(`Outbox.enqueue(${event}) outside a transaction would break atomicity`);
    }
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO ${this.table} (event, payload, request_id) VALUES ($1, $2, $3) RETURNING id`,
      [event, JSON.stringify(payload), RequestContext.requestId() ?? null],
    );
    return rows[0]!.id;
  }
}
