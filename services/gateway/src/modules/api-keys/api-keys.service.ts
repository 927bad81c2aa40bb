import type { Scope } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { type Logger, LOGGER, NotFoundError } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import type { ApiKeyRecord } from './api-key.record.js';
import { generateApiKey, hashApiKey, prefixOf } from './api-key-secret.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeyDto } from './dto/api-key.dto.js';

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly apiKeys: ApiKeysRepository,
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(name: string, scopes: Scope[]): Promise<{ apiKey: ApiKeyRecord; key: string }> {
    const { key, prefix } = generateApiKey();
    const apiKey = await this.apiKeys.insert({ name, prefix, keyHash: hashApiKey(key), scopes });
    return { apiKey, key };
  }

  async list(limit: number, cursor?: string): Promise<Page<ApiKeyDto>> {
    // The cursor keeps created_at at full (microsecond) precision: a millisecond cursor would
    // repeat rows created within the same millisecond.
    const [createdCursor, id] = cursor ? (decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string]) : [null, null];
    const apiKeys = await this.apiKeys.listAfter(createdCursor !== null ? { createdCursor, id: id! } : null, limit);
    return toPage(apiKeys, limit, (k) => [k.createdCursor, k.id], (k) => ApiKeyDto.from(k));
  }

  async get(id: string): Promise<ApiKeyRecord> {
    const key = await this.apiKeys.find(id);
    if (!key) throw new NotFoundError('API key', id);
    return key;
  }

  /** Revokes at once in this process and, through Redis, in every other gateway replica. */
  async revoke(id: string): Promise<ApiKeyRecord> {
    const keyHash = await this.apiKeys.revoke(id);
    if (!keyHash) throw new NotFoundError('API key', id);
    await this.authenticator.invalidate(keyHash.toString('hex'));
    return this.get(id);
  }

  /**
   * Makes sure an admin key exists. ADMIN_API_KEY, when set, is that key (a changed value
   * revokes the previous bootstrap key). When unset, the first start generates one and
   * prints it once; later starts find it and print nothing.
   */
  async ensureBootstrapKey(configured: string | undefined): Promise<{ generated?: string }> {
    return this.db.transaction(async (tx) => {
      await this.apiKeys.lockBootstrapKeys(tx);
      if (configured) {
        const hash = hashApiKey(configured);
        await this.apiKeys.upsertConfiguredBootstrapKey(tx, prefixOf(configured), hash);
        const revoked = await this.apiKeys.revokeOtherBootstrapKeys(tx, hash);
        if (revoked > 0) this.logger.warn({ revoked }, 'ADMIN_API_KEY changed: previous bootstrap key revoked');
        return {};
      }
      if (await this.apiKeys.hasActiveBootstrapKey(tx)) return {};
      const { key, prefix } = generateApiKey();
      await this.apiKeys.insertGeneratedBootstrapKey(tx, prefix, hashApiKey(key));
      return { generated: key };
    });
  }
}
