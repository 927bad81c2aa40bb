import type { Scope } from '@careflow/contracts';
import { REDIS } from '@careflow/messaging';
import { CommonConfig, LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { GatewayConfig } from '../../config/gateway.config.js';
import { hashApiKey } from './api-key-secret.js';

export interface AuthenticatedKey {
  id: string;
  prefix: string;
  scopes: readonly Scope[];
}

interface CacheEntry {
  key: AuthenticatedKey | null;
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;
/** Unknown keys are remembered briefly so a client hammering with a bad key costs no queries. */
const NEGATIVE_TTL_MS = 5_000;
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Turns a bearer key into the key's id and scopes. Lookups are cached per process so a
 * request normally pays no database round trip; a revocation clears the entry here and,
 * via Redis pub/sub, in every other gateway replica.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleInit, OnApplicationShutdown {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastUsedWritten = new Map<string, number>();
  private subscriber?: Redis;
  private readonly channel: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: GatewayConfig,
    common: CommonConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.channel = `${common.QUEUE_PREFIX}:gateway:api-key-revoked`;
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.duplicate({ connectionName: 'gateway-api-key-revocations' });
    this.subscriber.on('message', (_channel, hashHex: string) => this.cache.delete(hashHex));
    await this.subscriber.subscribe(this.channel);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  async authenticate(bearer: string): Promise<AuthenticatedKey | null> {
    const hash = hashApiKey(bearer);
    const hashHex = hash.toString('hex');
    const now = Date.now();
    const cached = this.cache.get(hashHex);
    if (cached && cached.expiresAt > now) {
      if (cached.key) this.touch(cached.key.id, now);
      return cached.key;
    }
    const rows: Array<{ id: string; prefix: string; scopes: Scope[] }> = await this.db.query(
      `SELECT id, prefix, scopes FROM gateway.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    const key = rows[0] ? { id: rows[0].id, prefix: rows[0].prefix, scopes: rows[0].scopes } : null;
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hashHex, { key, expiresAt: now + (key ? this.config.API_KEY_CACHE_TTL_MS : NEGATIVE_TTL_MS) });
    if (key) this.touch(key.id, now);
    return key;
  }

  async invalidate(hashHex: string): Promise<void> {
    this.cache.delete(hashHex);
    await this.redis.publish(this.channel, hashHex);
  }

  /** Records last use at most once a minute per key, off the request path. */
  private touch(id: string, now: number): void {
    if ((this.lastUsedWritten.get(id) ?? 0) + LAST_USED_RESOLUTION_MS > now) return;
    this.lastUsedWritten.set(id, now);
    this.db
      .query(`UPDATE gateway.api_keys SET last_used_at = now() WHERE id = $1`, [id])
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record API key use'));
  }
}
