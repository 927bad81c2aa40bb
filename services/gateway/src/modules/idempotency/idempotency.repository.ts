import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { IdempotencyRecord, StoredResponse } from './idempotency.record.js';

interface IdempotencyRow {
  fingerprint: string;
  status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
}

/** Idempotency records, one per (API key, Idempotency-Key); `status` NULL means in flight. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts the record, locked for `leaseMs` and kept `ttlHours`; or takes over an existing one
   * that has expired, or that is still in flight past its lease with the same fingerprint.
   * False when the key stays someone else's (completed, in flight, or another request).
   */
  async claim(claim: { apiKeyId: string; key: string; fingerprint: string; method: string; path: string }, leaseMs: number, ttlHours: number): Promise<boolean> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO gateway.idempotency_records (api_key_id, key, fingerprint, method, path, locked_until, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond', now() + $7 * interval '1 hour')
       ON CONFLICT (api_key_id, key) DO UPDATE
         SET fingerprint = excluded.fingerprint, method = excluded.method, path = excluded.path,
             status = NULL, response_headers = NULL, response_body = NULL,
             locked_until = excluded.locked_until, expires_at = excluded.expires_at, created_at = now()
         WHERE gateway.idempotency_records.expires_at < now()
            OR (gateway.idempotency_records.status IS NULL AND gateway.idempotency_records.locked_until < now()
                AND gateway.idempotency_records.fingerprint = excluded.fingerprint)
       RETURNING 1`,
      [claim.apiKeyId, claim.key, claim.fingerprint, claim.method, claim.path, leaseMs, ttlHours],
    );
    return inserted.length > 0;
  }

  async find(apiKeyId: string, key: string): Promise<IdempotencyRecord | null> {
    const rows: IdempotencyRow[] = await this.db.query(
      `SELECT fingerprint, status, response_headers, response_body FROM gateway.idempotency_records WHERE api_key_id = $1 AND key = $2`,
      [apiKeyId, key],
    );
    const row = rows[0];
    if (!row) return null;
    const response = row.status === null ? null : { status: row.status, headers: row.response_headers ?? {}, body: row.response_body ?? Buffer.alloc(0) };
    return { fingerprint: row.fingerprint, response };
  }

  async complete(apiKeyId: string, key: string, response: StoredResponse): Promise<void> {
    await this.db.query(
      `UPDATE gateway.idempotency_records SET status = $3, response_headers = $4, response_body = $5
       WHERE api_key_id = $1 AND key = $2`,
      [apiKeyId, key, response.status, JSON.stringify(response.headers), response.body],
    );
  }

  /** Deletes the record if its request is still in flight (a completed one stays). */
  async release(apiKeyId: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM gateway.idempotency_records WHERE api_key_id = $1 AND key = $2 AND status IS NULL`, [apiKeyId, key]);
  }

  /**
   * Forgets every stored response that holds any of `texts` (a customer's erased address,
   * name, phone): a replay must not bring them back. Keys of the deleted records can be
   * used again; the requests they answered are done.
   */
  async deleteMentioning(texts: readonly string[]): Promise<number> {
    if (texts.length === 0) return 0;
    const rows: unknown[] = await this.db.query(
      `DELETE FROM gateway.idempotency_records r
        WHERE r.response_body IS NOT NULL
          AND EXISTS (SELECT 1 FROM unnest($1::text[]) AS t(text) WHERE position(convert_to(t.text, 'UTF8') IN r.response_body) > 0)
        RETURNING 1`,
      [texts],
    );
    return rows.length;
  }

  async deleteExpired(): Promise<void> {
    await this.db.query(`DELETE FROM gateway.idempotency_records WHERE expires_at < now()`);
  }
}
