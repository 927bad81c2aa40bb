import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export type RecomputeState = 'queued' | 'running' | 'completed' | 'failed';
export type RecomputePhase = 'evaluating' | 'applying';
export type RecomputeReason = 'rules_changed' | 'scheduled';

export interface RecomputeRecord {
  id: string;
  rulesVersion: number;
  reason: RecomputeReason;
  state: RecomputeState;
  phase: RecomputePhase | null;
  customersTotal: number | null;
  customersEvaluated: number;
  customersDiffering: number | null;
  customersApplied: number;
  customersChanged: number;
  attempts: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface RecomputeRow {
  id: string;
  rules_version: number;
  reason: RecomputeReason;
  state: RecomputeState;
  phase: RecomputePhase | null;
  customers_total: number | null;
  customers_evaluated: number;
  customers_differing: number | null;
  customers_applied: number;
  customers_changed: number;
  attempts: number;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

function toRecord(r: RecomputeRow): RecomputeRecord {
  return {
    id: r.id,
    rulesVersion: r.rules_version,
    reason: r.reason,
    state: r.state,
    phase: r.phase,
    customersTotal: r.customers_total,
    customersEvaluated: r.customers_evaluated,
    customersDiffering: r.customers_differing,
    customersApplied: r.customers_applied,
    customersChanged: r.customers_changed,
    attempts: r.attempts,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** Recomputes of every customer's segments: their state and progress, for GET /v1/segments/recomputes/{id}. */
@Injectable()
export class RecomputesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(tx: EntityManager, rulesVersion: number, reason: RecomputeReason = 'rules_changed'): Promise<RecomputeRecord> {
    const rows: RecomputeRow[] = await tx.query(`INSERT INTO segmentation.recomputes (rules_version, reason) VALUES ($1, $2) RETURNING *`, [
      rulesVersion,
      reason,
    ]);
    return toRecord(rows[0]!);
  }

  /**
   * Whether a scheduled recompute is due (none was created within `hours`), decided by one
   * replica at a time: the caller's transaction holds a lock until it commits, and a replica
   * that does not get it leaves the decision to the one that did.
   */
  async scheduledDue(tx: EntityManager, hours: number): Promise<boolean> {
    const [{ locked }]: Array<{ locked: boolean }> = await tx.query(`SELECT pg_try_advisory_xact_lock(hashtext('segmentation.schedule')) AS locked`);
    if (!locked) return false;
    const recent: unknown[] = await tx.query(
      `SELECT 1 FROM segmentation.recomputes WHERE created_at > now() - $1::int * interval '1 hour' LIMIT 1`,
      [hours],
    );
    return recent.length === 0;
  }

  async find(id: string): Promise<RecomputeRecord | null> {
    const rows: RecomputeRow[] = await this.db.query(`SELECT * FROM segmentation.recomputes WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Marks a recompute running (again, after a crash: a new attempt starts over, and what the
   * earlier one applied is no longer a difference). Null when it is already finished.
   */
  async start(id: string, rulesVersion: number, customers: number): Promise<RecomputeRecord | null> {
    const rows: RecomputeRow[] = await this.db.query(
      `UPDATE segmentation.recomputes
          SET state = 'running', phase = 'evaluating', attempts = attempts + 1, rules_version = $2, error = NULL,
              started_at = coalesce(started_at, now()), customers_total = $3, customers_evaluated = 0,
              customers_differing = 0, customers_applied = 0, ranges_evaluated = 0
        WHERE id = $1 AND state IN ('queued', 'running')
        RETURNING *`,
      [id, rulesVersion, customers],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * One of `ranges` ranges of customers is evaluated. Progress counts evaluation per range, so
   * the recompute is `applying` (and customers_differing final) once every range is.
   */
  async rangeEvaluated(id: string, differing: number, ranges: number): Promise<void> {
    await this.db.query(
      `UPDATE segmentation.recomputes
          SET customers_differing = customers_differing + $2, ranges_evaluated = ranges_evaluated + 1,
              customers_evaluated = CASE WHEN ranges_evaluated + 1 = $3 THEN customers_total ELSE customers_evaluated END,
              phase = CASE WHEN ranges_evaluated + 1 = $3 THEN 'applying' ELSE phase END
        WHERE id = $1`,
      [id, differing, ranges],
    );
  }

  /**
   * Counts a batch in the batch's own transaction, so the counts are exactly what was applied.
   * `changed` accumulates over attempts: a retry applies only what an earlier one left.
   */
  async addBatch(tx: EntityManager, id: string, applied: number, changed: number): Promise<void> {
    await tx.query(
      `UPDATE segmentation.recomputes SET customers_applied = customers_applied + $2, customers_changed = customers_changed + $3 WHERE id = $1`,
      [id, applied, changed],
    );
  }

  async finish(id: string, state: 'completed' | 'failed', error: string | null = null): Promise<void> {
    await this.db.query(
      `UPDATE segmentation.recomputes SET state = $2, phase = NULL, error = $3, finished_at = now() WHERE id = $1`,
      [id, state, error],
    );
  }
}
