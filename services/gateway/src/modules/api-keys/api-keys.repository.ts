import type { Scope } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ApiKeyRecord } from './api-key.record.js';

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  cursor_at: string;
}

const COLUMNS = `id, name, prefix, scopes, created_at, last_used_at, revoked_at, created_at::text AS cursor_at`;

function toRecord(r: ApiKeyRow): ApiKeyRecord {
  return { id: r.id, name: r.name, prefix: r.prefix, scopes: r.scopes, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at, createdCursor: r.cursor_at };
}

/** The gateway's API keys: stored by the SHA-256 of the key (`key_hash`), never the key itself. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(key: { name: string; prefix: string; keyHash: Buffer; scopes: Scope[] }): Promise<ApiKeyRecord> {
    const rows: ApiKeyRow[] = await this.db.query(
      `INSERT INTO gateway.api_keys (name, prefix, key_hash, scopes, bootstrap) VALUES ($1, $2, $3, $4, false) RETURNING ${COLUMNS}`,
      [key.name, key.prefix, key.keyHash, key.scopes],
    );
    return toRecord(rows[0]!);
  }

  async find(id: string): Promise<ApiKeyRecord | null> {
    const rows: ApiKeyRow[] = await this.db.query(`SELECT ${COLUMNS} FROM gateway.api_keys WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** A page in creation order after the cursor position (`limit + 1` rows tell whether more follow). */
  async listAfter(after: { createdCursor: string; id: string } | null, limit: number): Promise<ApiKeyRecord[]> {
    const rows: ApiKeyRow[] = await this.db.query(
      `SELECT ${COLUMNS}
         FROM gateway.api_keys
        WHERE $1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid)
        ORDER BY created_at, id LIMIT $3`,
      [after?.createdCursor ?? null, after?.id ?? null, limit + 1],
    );
    return rows.map(toRecord);
  }

  /** Revokes the key (a revoked key keeps its first revocation time); its hash, or null when there is no such key. */
  async revoke(id: string): Promise<Buffer | null> {
    // TypeORM answers UPDATE … RETURNING with [rows, affected].
    const [rows]: [Array<{ key_hash: Buffer }>, number] = await this.db.query(
      `UPDATE gateway.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING key_hash`,
      [id],
    );
    return rows[0]?.key_hash ?? null;
  }

  /** The unrevoked key with this hash: what authenticating a request needs. */
  async findActiveByHash(keyHash: Buffer): Promise<Pick<ApiKeyRecord, 'id' | 'prefix' | 'scopes'> | null> {
    const rows: Array<{ id: string; prefix: string; scopes: Scope[] }> = await this.db.query(
      `SELECT id, prefix, scopes FROM gateway.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
    return rows[0] ? { id: rows[0].id, prefix: rows[0].prefix, scopes: rows[0].scopes } : null;
  }

  async recordUse(id: string): Promise<void> {
    await this.db.query(`UPDATE gateway.api_keys SET last_used_at = now() WHERE id = $1`, [id]);
  }

  /** Serialises bootstrap-key changes across gateway replicas starting together, until `tx` ends. */
  async lockBootstrapKeys(tx: EntityManager): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('careflow.gateway.bootstrap-key'))`);
  }

  /** Stores ADMIN_API_KEY as an admin bootstrap key, un-revoking it if it was revoked. */
  async upsertConfiguredBootstrapKey(tx: EntityManager, prefix: string, keyHash: Buffer): Promise<void> {
    await tx.query(
      `INSERT INTO gateway.api_keys (name, prefix, key_hash, scopes, bootstrap)
       VALUES ('bootstrap admin (ADMIN_API_KEY)', $1, $2, '{admin}', true)
       ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL, scopes = '{admin}'`,
      [prefix, keyHash],
    );
  }

  /** Revokes every other unrevoked bootstrap key; how many it revoked. */
  async revokeOtherBootstrapKeys(tx: EntityManager, keptHash: Buffer): Promise<number> {
    const [revoked]: [unknown[], number] = await tx.query(
      `UPDATE gateway.api_keys SET revoked_at = now() WHERE bootstrap AND revoked_at IS NULL AND key_hash <> $1 RETURNING id`,
      [keptHash],
    );
    return revoked.length;
  }

  async hasActiveBootstrapKey(tx: EntityManager): Promise<boolean> {
    const existing: unknown[] = await tx.query(`SELECT 1 FROM gateway.api_keys WHERE bootstrap AND revoked_at IS NULL LIMIT 1`);
    return existing.length > 0;
  }

  async insertGeneratedBootstrapKey(tx: EntityManager, prefix: string, keyHash: Buffer): Promise<void> {
    await tx.query(
      `INSERT INTO gateway.api_keys (name, prefix, key_hash, scopes, bootstrap) VALUES ('bootstrap admin (generated)', $1, $2, '{admin}', true)`,
      [prefix, keyHash],
    );
  }
}
