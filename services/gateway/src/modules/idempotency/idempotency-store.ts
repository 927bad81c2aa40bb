import { DomainError, type Logger, LOGGER } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { GatewayConfig } from '../../config/gateway.config.js';
import type { StoredResponse } from './idempotency.record.js';
import { IdempotencyRepository } from './idempotency.repository.js';

export class IdempotencyKeyReusedError extends DomainError {
  readonly status = 422;
  readonly code = 'idempotency-key-reused';
  readonly title = 'Idempotency-Key reused with a different request';
}

/** A retry arrived while the first request with its key is still running: 409, with Retry-After. */
export class IdempotencyKeyInFlightError extends DomainError {
  readonly status = 409;
  readonly code = 'idempotency-key-in-flight';
  readonly title = 'Conflict';
  /** Most requests finish within a second; the retry then gets the stored response. */
  readonly retryAfterSeconds = 1;
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
    private readonly records: IdempotencyRepository,
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
    const claimed = await this.records.claim({ apiKeyId, key, fingerprint, method, path }, IN_FLIGHT_LEASE_MS, this.config.IDEMPOTENCY_TTL_HOURS);
    if (claimed) return { kind: 'claimed' };
    const record = await this.records.find(apiKeyId, key);
    if (!record) return this.claim(apiKeyId, key, method, path, fingerprint); // expired and swept in between
    if (record.fingerprint !== fingerprint) {
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was first used with another method, path or body; use a new key for a new request',
      );
    }
    if (!record.response) {
      throw new IdempotencyKeyInFlightError('A request with this Idempotency-Key is still being processed; retry shortly');
    }
    return { kind: 'replay', response: record.response };
  }

  async complete(apiKeyId: string, key: string, response: StoredResponse): Promise<void> {
    await this.records.complete(apiKeyId, key, response);
  }

  /** A customer was erased: stored responses holding their data go (see IdempotencyRepository.deleteMentioning). */
  async forgetMentioning(texts: readonly string[]): Promise<void> {
    const deleted = await this.records.deleteMentioning(texts);
    if (deleted > 0) this.logger.info({ deleted }, 'idempotency records of an erased customer deleted');
  }

  /** The request failed in a way worth retrying (5xx, service down): forget the key. */
  async release(apiKeyId: string, key: string): Promise<void> {
    await this.records.release(apiKeyId, key);
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => {
      this.records.deleteExpired().catch((error: unknown) => this.logger.warn({ err: error }, 'idempotency sweep failed'));
    }, 10 * 60_000);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
