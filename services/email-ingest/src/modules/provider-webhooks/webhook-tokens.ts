import { REDIS } from '@careflow/messaging';
import { CommonConfig } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Tokens of signed provider posts already taken, remembered in Redis for as long as their
 * timestamp is acceptable (after that the timestamp check refuses a replay anyway). Redis may
 * lose them (DESIGN.md): a replay then stores a copy, which processing recognises as a duplicate.
 */
@Injectable()
export class WebhookTokens {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    common: CommonConfig,
  ) {
    this.prefix = `${common.QUEUE_PREFIX}:inbound-webhook-token`;
  }

  /** True when the token was not taken yet (and now is), false for a replay. */
  async claim(provider: string, token: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.key(provider, token), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  /** Gives a token back when its message could not be stored, so the provider's retry is not a "replay". */
  async release(provider: string, token: string): Promise<void> {
    await this.redis.del(this.key(provider, token));
  }

  private key(provider: string, token: string): string {
    return `${this.prefix}:${provider}:${createHash('sha256').update(token).digest('hex')}`;
  }
}
