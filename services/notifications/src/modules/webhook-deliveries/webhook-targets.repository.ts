import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { WebhookTargetRecord } from './webhook-target.record.js';

export interface TargetRow {
  id: string;
  url: string;
  enabled: boolean;
  rate_limit: number | null;
  secret: string;
  previous_secret: string | null;
}

/** An endpoint's columns as deliveries read them, for a statement with the endpoint as `e`. */
export const TARGET_COLUMNS = `e.id, e.url, e.enabled, e.rate_limit, e.secret, CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret`;

export const toTarget = (r: TargetRow): WebhookTargetRecord => ({
  id: r.id,
  url: r.url,
  enabled: r.enabled,
  rateLimit: r.rate_limit,
  secrets: r.previous_secret ? [r.secret, r.previous_secret] : [r.secret],
});

/**
 * What deliveries read of `notifications.webhook_endpoints` (the endpoint API owns the rows),
 * and the only columns they change: the failure clock and disabling.
 */
@Injectable()
export class WebhookTargetsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async exists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM notifications.webhook_endpoints WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  /**
   * Disables an enabled endpoint, saying why; with `failingBefore`, only one failing since
   * before then (no success in between). Its URL and the time when it was disabled now, else null.
   */
  async disable(db: EntityManager, id: string, reason: string, failingBefore?: Date): Promise<{ url: string; disabledAt: Date } | null> {
    const rows: Array<{ url: string; disabled_at: Date }> = await db.query(
      // A CTE: TypeORM answers a bare UPDATE with [rows, count], a SELECT with its rows.
      `WITH disabled AS (
         UPDATE notifications.webhook_endpoints
            SET enabled = false, disabled_at = now(), disabled_reason = $2, version = version + 1, updated_at = now()
          WHERE id = $1 AND enabled AND ($3::timestamptz IS NULL OR failing_since < $3)
         RETURNING url, disabled_at
       )
       SELECT url, disabled_at FROM disabled`,
      [id, reason, failingBefore ?? null],
    );
    return rows[0] ? { url: rows[0].url, disabledAt: rows[0].disabled_at } : null;
  }
}
