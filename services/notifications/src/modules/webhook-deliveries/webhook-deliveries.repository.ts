import { runExclusively } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ClaimedDeliveryRecord, DueDeliveryRecord, WebhookAttemptRecord, WebhookDeliveryRecord, WebhookDeliveryStatus } from './webhook-delivery.record.js';

/** The error an attempt gets when its worker stopped before knowing the answer. */
export const ATTEMPT_INTERRUPTED = 'outcome unknown: the worker stopped during this attempt; attempted again';

export interface AttemptOutcome {
  deliveryId: string;
  endpointId: string;
  jobId: string;
  attempt: number;
  durationMs: number;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
  /** succeeded (2xx); failed (no attempt left, or the receiver said Gone); else pending with the next attempt's time. */
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date | null;
}

export interface DeliveryFilter {
  status: WebhookDeliveryStatus | null;
  eventType: string | null;
}

interface DueRow {
  id: string;
  attempts: number;
  next_attempt_at: Date;
  under_way: boolean;
}

const toDue = (r: DueRow): DueDeliveryRecord => ({ id: r.id, attempts: Number(r.attempts), nextAttemptAt: r.next_attempt_at, underWay: r.under_way });

/**
 * Webhook deliveries and their attempts (`notifications.webhook_deliveries`,
 * `webhook_attempts`). The retry state is here: `next_attempt_at` is when the next attempt is
 * due, or, while one is under way (`attempt_job`), when its lease ends.
 */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A delivery's state and endpoint, before deciding whether to attempt it. */
  async state(id: string): Promise<(DueDeliveryRecord & { status: WebhookDeliveryStatus; endpointId: string }) | null> {
    const rows: Array<DueRow & { status: WebhookDeliveryStatus; endpoint_id: string }> = await this.db.query(
      `SELECT id, status, endpoint_id, attempts, next_attempt_at, attempt_job IS NOT NULL AS under_way FROM notifications.webhook_deliveries WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    return r ? { ...toDue(r), status: r.status, endpointId: r.endpoint_id } : null;
  }

  /**
   * Starts an attempt, recorded (committed) before anything is sent: when one is due (within
   * `toleranceMs`) and none is under way, or when the job holding the one under way is
   * delivered again (its worker died). An attempt whose outcome never came is closed as
   * interrupted. Null when no attempt may start now.
   */
  async claim(id: string, jobId: string, leaseMs: number, toleranceMs: number): Promise<ClaimedDeliveryRecord | null> {
    const rows: Array<{ endpoint_id: string; attempts: number; message_id: string; body: string }> = await this.db.query(
      `WITH d AS (
         SELECT id, attempts, attempt_job FROM notifications.webhook_deliveries
          WHERE id = $1 AND status = 'pending'
            AND ((attempt_job IS NULL AND next_attempt_at <= now() + make_interval(secs => $4::float8 / 1000))
                 OR attempt_job = $2 OR (attempt_job IS NOT NULL AND next_attempt_at <= now()))
          FOR UPDATE
       ), interrupted AS (
         UPDATE notifications.webhook_attempts a SET error = $5
           FROM d WHERE a.delivery_id = d.id AND a.attempt = d.attempts AND d.attempt_job IS NOT NULL
            AND a.status_code IS NULL AND a.error IS NULL
       ), claimed AS (
         UPDATE notifications.webhook_deliveries w
            SET attempts = w.attempts + 1, attempt_job = $2, next_attempt_at = now() + make_interval(secs => $3::float8 / 1000), updated_at = now()
           FROM d WHERE w.id = d.id
         RETURNING w.id, w.endpoint_id, w.attempts, w.message_id
       ), attempt AS (
         INSERT INTO notifications.webhook_attempts (delivery_id, attempt, started_at) SELECT id, attempts, now() FROM claimed
       )
       SELECT c.endpoint_id, c.attempts, c.message_id, m.body::text AS body
         FROM claimed c JOIN notifications.webhook_messages m ON m.id = c.message_id`,
      [id, jobId, leaseMs, toleranceMs, ATTEMPT_INTERRUPTED],
    );
    const r = rows[0];
    return r ? { id, endpointId: r.endpoint_id, attempt: Number(r.attempts), messageId: r.message_id, body: r.body } : null;
  }

  /**
   * Records an attempt's outcome and the delivery's next state (unless another job took the
   * attempt over meanwhile), and moves the endpoint's failure clock: cleared by a success,
   * started by the first failure after one. Returns since when the endpoint has been failing.
   */
  async recordOutcome(o: AttemptOutcome): Promise<{ recorded: boolean; failingSince: Date | null }> {
    const ok = o.status === 'succeeded';
    const rows: Array<{ recorded: boolean; failing_since: Date | null }> = await this.db.query(
      `WITH a AS (
         UPDATE notifications.webhook_attempts SET duration_ms = $3, status_code = $4, response_excerpt = $5, error = $6
          WHERE delivery_id = $1 AND attempt = $2
       ), d AS (
         UPDATE notifications.webhook_deliveries
            SET status = $7, next_attempt_at = $8, last_status_code = $4, last_error = $6, attempt_job = NULL, updated_at = now()
          WHERE id = $1 AND attempts = $2 AND attempt_job = $9 AND status = 'pending'
         RETURNING endpoint_id
       ), e AS (
         UPDATE notifications.webhook_endpoints
            SET failing_since = CASE WHEN $10 THEN NULL ELSE now() END
          WHERE id = $11 AND CASE WHEN $10 THEN failing_since IS NOT NULL ELSE failing_since IS NULL END
         RETURNING failing_since
       )
       SELECT EXISTS (SELECT 1 FROM d) AS recorded,
              CASE WHEN $10 THEN NULL
                   ELSE coalesce((SELECT failing_since FROM e), (SELECT failing_since FROM notifications.webhook_endpoints WHERE id = $11)) END AS failing_since`,
      [o.deliveryId, o.attempt, o.durationMs, o.statusCode, o.responseExcerpt, o.error, o.status, o.nextAttemptAt, o.jobId, ok, o.endpointId],
    );
    return { recorded: rows[0]!.recorded, failingSince: rows[0]!.failing_since };
  }

  /** Ends a delivery that will not be attempted (its endpoint is disabled or gone). */
  async markFailed(id: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE notifications.webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_error = $2, attempt_job = NULL, updated_at = now()
        WHERE id = $1 AND status = 'pending'`,
      [id, reason],
    );
  }

  /** Pending deliveries due before `until` (overdue ones first): the reconciler's pass, in keyset pages. */
  async dueBefore(until: Date, after: { at: string; id: string } | null, limit: number): Promise<Array<DueDeliveryRecord & { cursor: string }>> {
    const rows: Array<DueRow & { cursor_at: string }> = await this.db.query(
      `SELECT id, attempts, next_attempt_at, next_attempt_at::text AS cursor_at, attempt_job IS NOT NULL AS under_way FROM notifications.webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= $1
          -- A first attempt's job is the outbox's to publish (again, until it completed).
          AND (attempts > 0 OR updated_at < now() - interval '60 seconds')
          AND ($2::timestamptz IS NULL OR (next_attempt_at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY next_attempt_at, id LIMIT $4`,
      [until, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map((r) => ({ ...toDue(r), cursor: r.cursor_at }));
  }

  /**
   * Makes one delivery of the endpoint due now (a replay: a failed or succeeded one becomes
   * pending again). One with an attempt under way is left as it is. Null when the endpoint
   * has no such delivery.
   */
  async replay(endpointId: string, id: string): Promise<DueDeliveryRecord | null> {
    const rows: DueRow[] = await this.db.query(
      `WITH replayed AS (
         UPDATE notifications.webhook_deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now()
          WHERE id = $2 AND endpoint_id = $1 AND attempt_job IS NULL
         RETURNING id, attempts, next_attempt_at, false AS under_way
       )
       SELECT * FROM replayed
       UNION ALL
       SELECT id, attempts, next_attempt_at, true FROM notifications.webhook_deliveries
        WHERE id = $2 AND endpoint_id = $1 AND attempt_job IS NOT NULL`,
      [endpointId, id],
    );
    return rows[0] ? toDue(rows[0]) : null;
  }

  /** Makes every failed delivery of the endpoint created since `since` due now. */
  async recover(endpointId: string, since: Date): Promise<DueDeliveryRecord[]> {
    const rows: DueRow[] = await this.db.query(
      // A CTE: TypeORM answers a bare UPDATE with [rows, count], a SELECT with its rows.
      `WITH recovered AS (
         UPDATE notifications.webhook_deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now()
          WHERE endpoint_id = $1 AND status = 'failed' AND created_at >= $2
         RETURNING id, attempts, next_attempt_at, false AS under_way
       )
       SELECT * FROM recovered`,
      [endpointId, since],
    );
    return rows.map(toDue);
  }

  /** The endpoint's deliveries, newest first, each with its message's type and every attempt. */
  async list(endpointId: string, filter: DeliveryFilter, cursor: { createdAt: string; id: string } | null, limit: number): Promise<WebhookDeliveryRecord[]> {
    const rows: Array<{
      id: string; endpoint_id: string; message_id: string; type: string; status: WebhookDeliveryStatus; next_attempt_at: Date | null;
      created_at: Date; cursor_at: string; attempts: Array<Omit<WebhookAttemptRecord, 'startedAt'> & { startedAt: string }>;
    }> = await this.db.query(
      `SELECT d.id, d.endpoint_id, d.message_id, m.type, d.status, d.next_attempt_at, d.created_at, d.created_at::text AS cursor_at,
              coalesce((SELECT json_agg(json_build_object('attempt', a.attempt, 'startedAt', a.started_at, 'durationMs', a.duration_ms,
                          'statusCode', a.status_code, 'responseExcerpt', a.response_excerpt, 'error', a.error) ORDER BY a.attempt)
                          FROM notifications.webhook_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS attempts
         FROM notifications.webhook_deliveries d JOIN notifications.webhook_messages m ON m.id = d.message_id
        WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::text IS NULL OR m.type = $3)
          AND ($4::timestamptz IS NULL OR (d.created_at, d.id) < ($4::timestamptz, $5::uuid))
        ORDER BY d.created_at DESC, d.id DESC LIMIT $6`,
      [endpointId, filter.status, filter.eventType, cursor?.createdAt ?? null, cursor?.id ?? null, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      messageId: r.message_id,
      eventType: r.type,
      status: r.status,
      nextAttemptAt: r.next_attempt_at,
      createdAt: r.created_at,
      createdCursor: r.cursor_at,
      attempts: r.attempts.map((a) => ({ ...a, startedAt: new Date(a.startedAt) })),
    }));
  }

  /**
   * Runs `work` while holding a session advisory lock named `name`, on a connection of its own;
   * null without running it when another replica holds the lock.
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T | null> {
    return runExclusively(this.db, name, work);
  }
}
