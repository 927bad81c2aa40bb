import { ConflictError, DomainError, type Logger, LOGGER } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { GatewayConfig } from '../../config/gateway.config.js';

export class IdempotencyKeyReusedError extends DomainError {
  readonly status = 422;
  readonly code = 'idempotency-key-reused';
  readonly title = 'Idempotency-Key reused with a different request';
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type Claim = { kind: 'claimed' } | { kind: 'replay'; response: StoredResponse };

/** How long a request may hold its key before another may take over (a gateway died mid-request). */
const IN_FLIGHT_LEASE_MS = 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency records live in Postgres, not Redis: Redis may lose recent writes, and a
 * forgotten key would let a retried POST create a second ticket or order.
 */
@Injectable()
export class IdempotencyStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeper?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  static validKey(key: string): boolean {
    return KEY_PATTERN.test(key);
  }

  static fingerprint(method: string, path: string, body: Buffer): string {
    return createHash('sha256').update(method).update('\n').update(path).update('\n').update(body).digest('hex');
  }

  /** Claims the key for this request, or returns the stored response to replay. */
  async claim(apiKeyId: string, key: string, method: string, path: string, fingerprint: string): Promise<Claim> {
    const ttlHours = this.config.IDEMPOTENCY_TTL_HOURS;
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
      [apiKeyId, key, fingerprint, method, path, IN_FLIGHT_LEASE_MS, ttlHours],
    );
    if (inserted.length > 0) return { kind: 'claimed' };
    const rows: Array<{ fingerprint: string; status: number | null; response_headers: Record<string, string> | null; response_body: Buffer | null }> =
      await this.db.query(
        `SELECT fingerprint, status, response_headers, response_body FROM gateway.idempotency_records WHERE api_key_id = $1 AND key = $2`,
        [apiKeyId, key],
      );
    const row = rows[0];
    if (!row) return this.claim(apiKeyId, key, method, path, fingerprint); // expired and swept in between
    if (row.fingerprint !== fingerprint) {
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was first used with another method, path or body; use a new key for a new request',
      );
    }
    if (row.status === null) {
      throw new ConflictError('idempotency-key-in-flight', 'A request with this Idempotency-Key is still being processed; retry shortly');
    }
    return { kind: 'replay', response: { status: row.status, headers: row.response_headers ?? {}, body: row.response_body ?? Buffer.alloc(0) } };
  }

  async complete(apiKeyId: string, key: string, response: StoredResponse): Promise<void> {
    await this.db.query(
      `UPDATE gateway.idempotency_records SET status = $3, response_headers = $4, response_body = $5
       WHERE api_key_id = $1 AND key = $2`,
      [apiKeyId, key, response.status, JSON.stringify(response.headers), response.body],
    );
  }

  /** The request failed in a way worth retrying (5xx, service down): forget the key. */
  async release(apiKeyId: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM gateway.idempotency_records WHERE api_key_id = $1 AND key = $2 AND status IS NULL`, [apiKeyId, key]);
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => {
      this.db
        .query(`DELETE FROM gateway.idempotency_records WHERE expires_at < now()`)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'idempotency sweep failed'));
    }, 10 * 60_000);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
