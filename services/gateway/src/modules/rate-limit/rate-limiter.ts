import { REDIS } from '@careflow/messaging';
import { CommonConfig, LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GatewayConfig } from '../../config/gateway.config.js';
import { currentWindow, increment } from './fixed-window.js';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/**
 * A fixed one-minute window per API key, counted in Redis so every gateway replica shares
 * the budget. If Redis is unreachable the request is let through (and logged): rate limiting
 * protects capacity, it must not take the API down with it.
 */
@Injectable()
export class RateLimiter {
  private readonly keyPrefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: GatewayConfig,
    common: CommonConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keyPrefix = `${common.QUEUE_PREFIX}:rate`;
  }

  get enabled(): boolean {
    return this.config.RATE_LIMIT_PER_MINUTE > 0;
  }

  async consume(apiKeyId: string): Promise<RateLimitDecision | null> {
    if (!this.enabled) return null;
    const limit = this.config.RATE_LIMIT_PER_MINUTE;
    const window = currentWindow(this.keyPrefix, apiKeyId);
    try {
      const count = await increment(this.redis, window);
      return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetSeconds: window.resetSeconds };
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limiter unavailable; request allowed');
      return null;
    }
  }
}

export function rateLimitHeaders(d: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(d.resetSeconds),
  };
  if (!d.allowed) headers['Retry-After'] = String(d.resetSeconds);
  return headers;
}
