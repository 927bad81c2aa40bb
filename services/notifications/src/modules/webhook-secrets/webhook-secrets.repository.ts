import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface StoredSecrets {
  id: string;
  secret: string;
  previousSecret: string | null;
}

/** The stored form of the endpoints' secrets, for sealing those kept in the clear. */
@Injectable()
export class WebhookSecretsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Endpoints with a secret (current or previous) not stored sealed. */
  async inClear(): Promise<StoredSecrets[]> {
    const rows: Array<{ id: string; secret: string; previous_secret: string | null }> = await this.db.query(
      `SELECT id, secret, previous_secret FROM notifications.webhook_endpoints
        WHERE secret NOT LIKE 'sealed:%' OR previous_secret NOT LIKE 'sealed:%' ORDER BY id`,
    );
    return rows.map((r) => ({ id: r.id, secret: r.secret, previousSecret: r.previous_secret }));
  }

  async countSealed(): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(
      `SELECT count(*)::int AS n FROM notifications.webhook_endpoints WHERE secret LIKE 'sealed:%' OR previous_secret LIKE 'sealed:%'`,
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Stores the same secrets in another form, only if they are still what was read (a rotation
   * or another replica meanwhile wins). Whether it replaced them.
   */
  async replace(was: StoredSecrets, now: { secret: string; previousSecret: string | null }): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `WITH replaced AS (
         UPDATE notifications.webhook_endpoints SET secret = $4, previous_secret = $5
          WHERE id = $1 AND secret = $2 AND previous_secret IS NOT DISTINCT FROM $3
         RETURNING id
       )
       SELECT id FROM replaced`,
      [was.id, was.secret, was.previousSecret, now.secret, now.previousSecret],
    );
    return rows.length > 0;
  }
}
