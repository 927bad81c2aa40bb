import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { WebhookTargetRecord } from './webhook-target.record.js';

interface TargetRow {
  id: string;
  url: string;
  enabled: boolean;
  rate_limit: number | null;
  secret: string;
  previous_secret: string | null;
}

/**
 * What deliveries read of `notifications.webhook_endpoints` (the endpoint API owns the rows),
 * and the only columns they change: the failure clock and disabling.
 */
@Injectable()
export class WebhookTargetsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(id: string): Promise<WebhookTargetRecord | null> {
    const rows: TargetRow[] = await this.db.query(
      `SELECT id, url, enabled, rate_limit, secret,
              CASE WHEN previous_secret_expires_at > now() THEN previous_secret END AS previous_secret
         FROM notifications.webhook_endpoints WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return { id: r.id, url: r.url, enabled: r.enabled, rateLimit: r.rate_limit, secrets: r.previous_secret ? [r.secret, r.previous_secret] : [r.secret] };
  }

  async exists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM notifications.webhook_endpoints WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  /**
   * Disables an enabled endpoint, saying why; with `failingBefore`, only one failing since
   * before then (no success in between). Its URL when it was disabled now, else null.
   */
  async disable(id: string, reason: string, failingBefore?: Date): Promise<{ url: string } | null> {
    const rows: Array<{ url: string }> = await this.db.query(
      // A CTE: TypeORM answers a bare UPDATE with [rows, count], a SELECT with its rows.
      `WITH disabled AS (
         UPDATE notifications.webhook_endpoints
            SET enabled = false, disabled_at = now(), disabled_reason = $2, version = version + 1, updated_at = now()
          WHERE id = $1 AND enabled AND ($3::timestamptz IS NULL OR failing_since < $3)
         RETURNING url
       )
       SELECT url FROM disabled`,
      [id, reason, failingBefore ?? null],
    );
    return rows[0] ?? null;
  }
}
