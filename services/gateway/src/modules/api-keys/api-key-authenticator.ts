import type { Scope } from '@careflow/contracts';
import { REDIS } from '@careflow/messaging';
import { CommonConfig, LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GatewayConfig } from '../../config/gateway.config.js';
import { hashApiKey } from './api-key-secret.js';
import { ApiKeysRepository } from './api-keys.repository.js';

export interface AuthenticatedKey {
  id: string;
  prefix: string;
  scopes: readonly Scope[];
}

interface CacheEntry {
  key: AuthenticatedKey;
  expiresAt: number;
}

/** Known keys kept per process; the oldest is dropped past this. */
const MAX_ENTRIES = 10_000;
/**
 * Unknown keys are remembered briefly so a client repeating a bad key costs no queries. They
 * are kept apart from the known ones, with their own bound: a flood of made-up keys must not
 * push valid keys out and send their every request to the database.
 */
const MAX_UNKNOWN_ENTRIES = 10_000;
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
  /** Hashes of keys found unknown or revoked, and until when that answer holds. */
  private readonly unknown = new Map<string, number>();
  private readonly lastUsedWritten = new Map<string, number>();
  private subscriber?: Redis;
  private readonly channel: string;

  constructor(
    private readonly apiKeys: ApiKeysRepository,
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

  /**
   * The key's id and scopes, or null for an unknown or revoked key. `beforeLookup` runs only
   * when the answer is not cached, before the database is asked; it may throw to prevent that.
   */
  async authenticate(bearer: string, beforeLookup?: () => Promise<void>): Promise<AuthenticatedKey | null> {
    const hash = hashApiKey(bearer);
    const hashHex = hash.toString('hex');
    const now = Date.now();
    const cached = this.cache.get(hashHex);
    if (cached && cached.expiresAt > now) {
      this.touch(cached.key.id, now);
      return cached.key;
    }
    if ((this.unknown.get(hashHex) ?? 0) > now) return null;
    await beforeLookup?.();
    const key = await this.apiKeys.findActiveByHash(hash);
    if (!key) {
      remember(this.unknown, MAX_UNKNOWN_ENTRIES, hashHex, now + NEGATIVE_TTL_MS);
      return null;
    }
    this.unknown.delete(hashHex);
    remember(this.cache, MAX_ENTRIES, hashHex, { key, expiresAt: now + this.config.API_KEY_CACHE_TTL_MS });
    this.touch(key.id, now);
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
    this.apiKeys.recordUse(id).catch((error: unknown) => this.logger.warn({ err: error }, 'could not record API key use'));
  }
}

/** Sets an entry, dropping the oldest one when the map is full. */
function remember<V>(map: Map<string, V>, max: number, hashHex: string, value: V): void {
  map.delete(hashHex);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(hashHex, value);
}
