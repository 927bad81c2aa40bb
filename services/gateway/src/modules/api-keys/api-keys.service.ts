import type { Scope } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { type Logger, LOGGER, NotFoundError } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { generateApiKey, hashApiKey, prefixOf } from './api-key-secret.js';
import { ApiKeyDto } from './dto/api-key.dto.js';
import { ApiKey } from './entities/api-key.entity.js';

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(name: string, scopes: Scope[]): Promise<{ apiKey: ApiKey; key: string }> {
    const { key, prefix } = generateApiKey();
    const apiKey = await this.db.getRepository(ApiKey).save({ name, prefix, keyHash: hashApiKey(key), scopes, bootstrap: false });
    return { apiKey: await this.get(apiKey.id), key };
  }

  async list(limit: number, cursor?: string): Promise<Page<ApiKeyDto>> {
    // The cursor keeps created_at at full (microsecond) precision: a millisecond cursor would
    // repeat rows created within the same millisecond.
    const [after, afterId] = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : [null, null];
    const rows: Array<ApiKeyRow & { cursor_at: string }> = await this.db.query(
      `SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at, created_at::text AS cursor_at
         FROM gateway.api_keys
        WHERE $1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid)
        ORDER BY created_at, id LIMIT $3`,
      [after, afterId, limit + 1],
    );
    return toPage(rows, limit, (r) => [r.cursor_at, r.id], (r) =>
      ApiKeyDto.from(Object.assign(new ApiKey(), {
        id: r.id, name: r.name, prefix: r.prefix, scopes: r.scopes, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
      })),
    );
  }

  async get(id: string): Promise<ApiKey> {
    const key = await this.db.getRepository(ApiKey).findOneBy({ id });
    if (!key) throw new NotFoundError('API key', id);
    return key;
  }

  /** Revokes at once in this process and, through Redis, in every other gateway replica. */
  async revoke(id: string): Promise<ApiKey> {
    // TypeORM answers UPDATE … RETURNING with [rows, affected].
    const [rows]: [Array<{ key_hash: Buffer }>, number] = await this.db.query(
      `UPDATE gateway.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING key_hash`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError('API key', id);
    await this.authenticator.invalidate(rows[0].key_hash.toString('hex'));
    return this.get(id);
  }

  /**
   * Makes sure an admin key exists. ADMIN_API_KEY, when set, is that key (a changed value
   * revokes the previous bootstrap key). When unset, the first start generates one and
   * prints it once; later starts find it and print nothing.
   */
  async ensureBootstrapKey(configured: string | undefined): Promise<{ generated?: string }> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('careflow.gateway.bootstrap-key'))`);
      if (configured) {
        const hash = hashApiKey(configured);
        await tx.query(
          `INSERT INTO gateway.api_keys (name, prefix, key_hash, scopes, bootstrap)
           VALUES ('bootstrap admin (ADMIN_API_KEY)', $1, $2, '{admin}', true)
           ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL, scopes = '{admin}'`,
          [prefixOf(configured), hash],
        );
        const [revoked]: [unknown[], number] = await tx.query(
          `UPDATE gateway.api_keys SET revoked_at = now() WHERE bootstrap AND revoked_at IS NULL AND key_hash <> $1 RETURNING id`,
          [hash],
        );
        if (revoked.length > 0) this.logger.warn({ revoked: revoked.length }, 'ADMIN_API_KEY changed: previous bootstrap key revoked');
        return {};
      }
      const existing: unknown[] = await tx.query(`SELECT 1 FROM gateway.api_keys WHERE bootstrap AND revoked_at IS NULL LIMIT 1`);
      if (existing.length > 0) return {};
      const { key, prefix } = generateApiKey();
      await tx.query(
        `INSERT INTO gateway.api_keys (name, prefix, key_hash, scopes, bootstrap) VALUES ('bootstrap admin (generated)', $1, $2, '{admin}', true)`,
        [prefix, hashApiKey(key)],
      );
      return { generated: key };
    });
  }
}
