import { REDIS } from '@careflow/messaging';
import { CommonConfig, LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GatewayConfig } from '../../config/gateway.config.js';
import { currentWindow, increment } from './fixed-window.js';

/** An address that has spent its failed authentications for this minute. */
export interface AuthFailureBlock {
  limit: number;
  /** Seconds until the window resets: the Retry-After. */
  retryAfterSeconds: number;
}

/**
 * Failed authentications (no key, an unknown or a revoked one) per client address, in a fixed
 * one-minute window in Redis like the per-key limit. Only failures count, so a shop's working
 * integration is never slowed by its own traffic. An address past its budget is refused
 * before its key is looked up in Postgres: guessing keys costs the attacker, not the database.
 * If Redis is unreachable authentication goes on unlimited (and logged), as with the key limit.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly keyPrefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: GatewayConfig,
    common: CommonConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keyPrefix = `${common.QUEUE_PREFIX}:auth-failures`;
  }

  /** Whether the address has already spent its budget (null: it may try). */
  async blocked(address: string): Promise<AuthFailureBlock | null> {
    const limit = this.config.AUTH_FAILURES_PER_MINUTE;
    if (limit === 0) return null;
    const window = currentWindow(this.keyPrefix, address);
    try {
      const count = Number((await this.redis.get(window.key)) ?? 0);
      return count >= limit ? { limit, retryAfterSeconds: window.resetSeconds } : null;
    } catch (error) {
      this.logger.warn({ err: error }, 'authentication failure limiter unavailable; lookup allowed');
      return null;
    }
  }

  /** Counts a failure; returns the block when this one went past the budget. */
  async recordFailure(address: string): Promise<AuthFailureBlock | null> {
    const limit = this.config.AUTH_FAILURES_PER_MINUTE;
    if (limit === 0) return null;
    const window = currentWindow(this.keyPrefix, address);
    try {
      const count = await increment(this.redis, window);
      if (count === limit + 1) this.logger.warn({ address, limit }, 'failed authentications over budget; address refused until the minute ends');
      return count > limit ? { limit, retryAfterSeconds: window.resetSeconds } : null;
    } catch (error) {
      this.logger.warn({ err: error }, 'authentication failure limiter unavailable; failure not counted');
      return null;
    }
  }
}
