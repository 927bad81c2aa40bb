import { PreparedStatements, runExclusively } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TARGET_COLUMNS, toTarget, type TargetRow } from './webhook-targets.repository.js';
import type { ClaimedDeliveryRecord, DueDeliveryRecord, WebhookAttemptRecord, WebhookDeliveryRecord, WebhookDeliveryStatus } from './webhook-delivery.record.js';

/** Why a delivery of a disabled endpoint ended unattempted. */
export const ENDPOINT_DISABLED = 'endpoint disabled';
/** Why a delivery written while its endpoint was being deleted ended unattempted. */
export const ENDPOINT_DELETED = 'endpoint deleted';

/** The error an attempt gets when its worker stopped before knowing the answer. */
export const ATTEMPT_INTERRUPTED = 'outcome unknown: the worker stopped during this attempt; attempted again';

export interface AttemptOutcome {
  deliveryId: string;
  endpointId: string;
  jobId: string;
  attempt: number;
  /** When the attempt was claimed. */
  startedAt: Date;
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

/** When a delivery's next attempt may start: when it is due, or, with one under way, when that one's lease ends. */
const nextStart = (d = '') => `CASE WHEN ${d}attempt_job IS NULL THEN ${d}next_attempt_at ELSE ${d}lease_until END`;

const toDue = (r: DueRow): DueDeliveryRecord => ({ id: r.id, attempts: Number(r.attempts), nextAttemptAt: r.next_attempt_at, underWay: r.under_way });

/**
 * Webhook deliveries and their attempts (`notifications.webhook_deliveries`,
 * `webhook_attempts`). The retry state is here: `next_attempt_at` is when the next attempt is
 * due; while one is under way (`attempt_job`), `lease_until` is when its lease ends, and its
 * log row is written with its outcome.
 */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  /** A delivery's state and endpoint, before deciding whether to attempt it. */
  async state(id: string): Promise<(DueDeliveryRecord & { status: WebhookDeliveryStatus; endpointId: string }) | null> {
    const rows: Array<DueRow & { status: WebhookDeliveryStatus; endpoint_id: string }> = await this.db.query(
      `SELECT id, status, endpoint_id, attempts, ${nextStart()} AS next_attempt_at, attempt_job IS NOT NULL AS under_way FROM notifications.webhook_deliveries WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    return r ? { ...toDue(r), status: r.status, endpointId: r.endpoint_id } : null;
  }

  /**
   * Starts attempts, each recorded (committed) on its delivery before anything is sent: for a
   * delivery when one is due (within `toleranceMs`) and none is under way, or when the job
   * holding the one under way is delivered again or its lease ended (its worker died). An
   * attempt whose outcome never came is logged as interrupted. A delivery whose endpoint is
   * disabled, or was deleted while a fan-in wrote it, is ended instead (failed, with
   * ENDPOINT_DISABLED or ENDPOINT_DELETED). One statement for many claims (each delivery at
   * most once among them); per claim, in the order given, what to send and where (the endpoint
   * as it is now), or null when no attempt may start now.
   *
   * The claim changes no indexed column, so Postgres updates the row in place (HOT) without
   * touching an index; the attempt's log row is written with its outcome.
   */
  async claim(claims: ReadonlyArray<{ id: string; jobId: string }>, leaseMs: number, toleranceMs: number): Promise<Array<ClaimedDeliveryRecord | null>> {
    const rows: Array<TargetRow & { n: string; delivery_id: string; attempts: number; message_id: string; started_at: Date; body: string }> = await this.statements.query(
      `WITH i AS (
         SELECT * FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS i(id, job, n)
       ), d AS (
         SELECT w.id, w.attempts, w.attempt_job, w.attempt_started_at, i.job, i.n, coalesce(e.enabled, false) AS enabled, e.id IS NOT NULL AS endpoint_exists
           FROM notifications.webhook_deliveries w JOIN i ON i.id = w.id LEFT JOIN notifications.webhook_endpoints e ON e.id = w.endpoint_id
          WHERE w.status = 'pending'
            AND ((w.attempt_job IS NULL AND w.next_attempt_at <= now() + make_interval(secs => $4::float8 / 1000))
                 OR w.attempt_job = i.job OR (w.attempt_job IS NOT NULL AND w.lease_until <= now()))
          ORDER BY w.id
          FOR UPDATE OF w
       ), interrupted AS (
         INSERT INTO notifications.webhook_attempts AS a (delivery_id, attempt, started_at, error)
         SELECT d.id, d.attempts, d.attempt_started_at, $5 FROM d WHERE d.attempt_job IS NOT NULL
         ON CONFLICT (delivery_id, attempt) DO UPDATE SET error = excluded.error WHERE a.status_code IS NULL AND a.error IS NULL
       ), ended AS (
         UPDATE notifications.webhook_deliveries w
            SET status = 'failed', next_attempt_at = NULL, last_error = CASE WHEN d.endpoint_exists THEN $6 ELSE $7 END,
                attempt_job = NULL, lease_until = NULL, attempt_started_at = NULL, updated_at = now()
           FROM d WHERE w.id = d.id AND NOT d.enabled
       ), claimed AS (
         UPDATE notifications.webhook_deliveries w
            SET attempts = w.attempts + 1, attempt_job = d.job, attempt_started_at = now(),
                lease_until = now() + make_interval(secs => $3::float8 / 1000), updated_at = now()
           FROM d WHERE w.id = d.id AND d.enabled
         RETURNING w.id, w.endpoint_id, w.attempts, w.message_id, w.attempt_started_at, d.n
       )
       SELECT c.n, c.id AS delivery_id, c.attempts, c.message_id, c.attempt_started_at AS started_at, m.body::text AS body, ${TARGET_COLUMNS}
         FROM claimed c JOIN notifications.webhook_messages m ON m.id = c.message_id JOIN notifications.webhook_endpoints e ON e.id = c.endpoint_id`,
      [claims.map((c) => c.id), claims.map((c) => c.jobId), leaseMs, toleranceMs, ATTEMPT_INTERRUPTED, ENDPOINT_DISABLED, ENDPOINT_DELETED],
    );
    const byPosition = new Map(rows.map((r) => [Number(r.n), r]));
    return claims.map((_, i) => {
      const r = byPosition.get(i + 1);
      return r
        ? { id: r.delivery_id, attempt: Number(r.attempts), startedAt: r.started_at, messageId: r.message_id, body: r.body, target: toTarget(r) }
        : null;
    });
  }

  /**
   * Gives back attempts claimed but not started (their endpoint had no slot free): each
   * delivery as it was before its claim, due again. Only while the job still holds it.
   */
  async unclaim(claims: ReadonlyArray<{ id: string; jobId: string; attempt: number }>): Promise<void> {
    await this.statements.query(
      `UPDATE notifications.webhook_deliveries w
          SET attempts = w.attempts - 1, attempt_job = NULL, lease_until = NULL, attempt_started_at = NULL, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::int[]) AS u(id, job, attempt)
        WHERE w.id = u.id AND w.attempt_job = u.job AND w.attempts = u.attempt`,
      [claims.map((c) => c.id), claims.map((c) => c.jobId), claims.map((c) => c.attempt)],
    );
  }

  /**
   * Logs attempts with their outcomes (over the row of one taken over meanwhile as interrupted:
   * the outcome is what happened) and records their deliveries' next states (each unless
   * another job took its attempt over meanwhile), and moves each endpoint's failure clock: cleared by a success,
   * started by the first failure after one (a success among the outcomes of one endpoint
   * counts as the latest). Returns, in the order given, whether each was recorded and, for a
   * failure, since when its endpoint has been failing. One statement for many outcomes.
   */
  async recordOutcomes(outcomes: readonly AttemptOutcome[]): Promise<Array<{ recorded: boolean; failingSince: Date | null }>> {
    const rows: Array<{ n: string; recorded: boolean; failing_since: Date | null }> = await this.statements.query(
      `WITH o AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::uuid[], $11::timestamptz[])
                  WITH ORDINALITY AS o(delivery_id, attempt, duration_ms, status_code, excerpt, error, status, next_attempt_at, job_id, endpoint_id, started_at, n)
       ), a AS (
         INSERT INTO notifications.webhook_attempts AS wa (delivery_id, attempt, started_at, duration_ms, status_code, response_excerpt, error)
         SELECT o.delivery_id, o.attempt, o.started_at, o.duration_ms, o.status_code, o.excerpt, o.error
           FROM o WHERE EXISTS (SELECT 1 FROM notifications.webhook_deliveries w WHERE w.id = o.delivery_id) -- not one deleted with its endpoint
         ON CONFLICT (delivery_id, attempt) DO UPDATE
           SET duration_ms = excluded.duration_ms, status_code = excluded.status_code, response_excerpt = excluded.response_excerpt, error = excluded.error
       ), d AS (
         UPDATE notifications.webhook_deliveries w
            SET status = o.status, next_attempt_at = o.next_attempt_at, last_status_code = o.status_code, last_error = o.error,
                attempt_job = NULL, lease_until = NULL, attempt_started_at = NULL, updated_at = now()
           FROM o WHERE w.id = o.delivery_id AND w.attempts = o.attempt AND w.attempt_job = o.job_id AND w.status = 'pending'
         RETURNING w.id
       ), per_endpoint AS (
         SELECT endpoint_id, bool_or(status = 'succeeded') AS ok FROM o GROUP BY endpoint_id
       ), e AS (
         UPDATE notifications.webhook_endpoints e
            SET failing_since = CASE WHEN p.ok THEN NULL ELSE now() END
           FROM per_endpoint p
          WHERE e.id = p.endpoint_id AND CASE WHEN p.ok THEN e.failing_since IS NOT NULL ELSE e.failing_since IS NULL END
         RETURNING e.id, e.failing_since
       )
       SELECT o.n, EXISTS (SELECT 1 FROM d WHERE d.id = o.delivery_id) AS recorded,
              CASE WHEN o.status = 'succeeded' OR p.ok THEN NULL ELSE coalesce(e.failing_since, current.failing_since) END AS failing_since
         FROM o JOIN per_endpoint p ON p.endpoint_id = o.endpoint_id
         LEFT JOIN e ON e.id = o.endpoint_id
         LEFT JOIN notifications.webhook_endpoints current ON current.id = o.endpoint_id`,
      [
        outcomes.map((o) => o.deliveryId),
        outcomes.map((o) => o.attempt),
        outcomes.map((o) => o.durationMs),
        outcomes.map((o) => o.statusCode),
        outcomes.map((o) => o.responseExcerpt),
        outcomes.map((o) => o.error),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.nextAttemptAt),
        outcomes.map((o) => o.jobId),
        outcomes.map((o) => o.endpointId),
        outcomes.map((o) => o.startedAt),
      ],
    );
    const byPosition = new Map(rows.map((r) => [Number(r.n), r]));
    return outcomes.map((_, i) => {
      const r = byPosition.get(i + 1);
      return { recorded: r?.recorded ?? false, failingSince: r?.failing_since ?? null };
    });
  }

  /** Pending deliveries due before `until` (overdue ones first): the reconciler's pass, in keyset pages. */
  async dueBefore(until: Date, after: { at: string; id: string } | null, limit: number): Promise<Array<DueDeliveryRecord & { cursor: string }>> {
    const rows: Array<DueRow & { cursor_at: string }> = await this.db.query(
      `SELECT id, attempts, ${nextStart()} AS next_attempt_at, next_attempt_at::text AS cursor_at, attempt_job IS NOT NULL AS under_way
         FROM notifications.webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= $1 AND (attempt_job IS NULL OR lease_until <= $1)
          -- A first attempt's job is added when its message commits: only one that was lost since.
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
       SELECT id, attempts, lease_until, true FROM notifications.webhook_deliveries
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

  /**
   * The endpoint's deliveries, newest first, each with its message's type and every attempt:
   * the one under way (no outcome yet) as well, from its delivery.
   */
  async list(endpointId: string, filter: DeliveryFilter, cursor: { createdAt: string; id: string } | null, limit: number): Promise<WebhookDeliveryRecord[]> {
    const rows: Array<{
      id: string; endpoint_id: string; message_id: string; type: string; status: WebhookDeliveryStatus; next_attempt_at: Date | null;
      created_at: Date; cursor_at: string; attempts: Array<Omit<WebhookAttemptRecord, 'startedAt'> & { startedAt: string }>;
    }> = await this.db.query(
      `SELECT d.id, d.endpoint_id, d.message_id, m.type, d.status,
              ${nextStart('d.')} AS next_attempt_at,
              d.created_at, d.created_at::text AS cursor_at,
              coalesce((SELECT json_agg(json_build_object('attempt', a.attempt, 'startedAt', a.started_at, 'durationMs', a.duration_ms,
                          'statusCode', a.status_code, 'responseExcerpt', a.response_excerpt, 'error', a.error) ORDER BY a.attempt)
                          FROM (SELECT attempt, started_at, duration_ms, status_code, response_excerpt, error
                                  FROM notifications.webhook_attempts WHERE delivery_id = d.id
                                UNION ALL
                                SELECT d.attempts, d.attempt_started_at, NULL, NULL, NULL, NULL
                                 WHERE d.attempt_job IS NOT NULL
                                   AND NOT EXISTS (SELECT 1 FROM notifications.webhook_attempts x WHERE x.delivery_id = d.id AND x.attempt = d.attempts)) a),
                       '[]'::json) AS attempts
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
