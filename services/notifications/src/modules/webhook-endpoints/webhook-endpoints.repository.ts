import { decodeCursor, toPage, type Page } from '@careflow/http';
import { SqlParams } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { WebhookEndpointPatch, WebhookEndpointRecord } from './webhook-endpoint.record.js';

interface EndpointRow {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  rate_limit: number | null;
  enabled: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  failing_since: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  created_cursor: string;
}

/** Never the secrets: those are read by the delivery worker only, and returned once by create and rotate. */
const COLUMNS = `id, url, events, description, rate_limit, enabled, disabled_at, disabled_reason, failing_since, version, created_at, updated_at, created_at::text AS created_cursor`;
const TABLE = 'notifications.webhook_endpoints';

function toRecord(row: EndpointRow): WebhookEndpointRecord {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    rateLimit: row.rate_limit,
    enabled: row.enabled,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdCursor: row.created_cursor,
  };
}

/** Why an endpoint was disabled by its owner (the delivery engine writes its own reasons). */
export const MANUALLY_DISABLED = 'manual';

@Injectable()
export class WebhookEndpointsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(
    e: { id: string; url: string; events: string[]; description: string | null; rateLimit: number | null; secret: string },
    tx: EntityManager = this.db.manager,
  ): Promise<WebhookEndpointRecord> {
    const rows: EndpointRow[] = await tx.query(
      `INSERT INTO ${TABLE} (id, url, events, description, rate_limit, secret) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [e.id, e.url, e.events, e.description, e.rateLimit, e.secret],
    );
    return toRecord(rows[0]!);
  }

  async findById(id: string, tx: EntityManager = this.db.manager): Promise<WebhookEndpointRecord | null> {
    const rows: EndpointRow[] = await tx.query(`SELECT ${COLUMNS} FROM ${TABLE} WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(limit: number, cursor?: string): Promise<Page<WebhookEndpointRecord>> {
    const q = new SqlParams();
    let where = '';
    if (cursor) {
      const [createdAt, id] = decodeCursor(cursor, ['timestamp', 'uuid']);
      where = `WHERE (created_at, id) < (${q.add(createdAt)}::timestamptz, ${q.add(id)}::uuid)`;
    }
    const rows: EndpointRow[] = await this.db.query(`SELECT ${COLUMNS} FROM ${TABLE} ${where} ORDER BY created_at DESC, id DESC LIMIT ${q.add(limit + 1)}`, q.values);
    return toPage(rows, limit, (r) => [r.created_cursor, r.id], toRecord);
  }

  /**
   * Applies a PATCH in one statement, with a new version. Re-enabling clears the failure
   * history (the delivery engine counts a fresh span); disabling keeps an earlier reason.
   * Null when there is no such endpoint.
   */
  async update(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointRecord | null> {
    const q = new SqlParams();
    const set: string[] = ['version = version + 1', 'updated_at = now()'];
    if (patch.url !== undefined) set.push(`url = ${q.add(patch.url)}`);
    if (patch.events !== undefined) set.push(`events = ${q.add(patch.events)}::text[]`);
    if (patch.description !== undefined) set.push(`description = ${q.add(patch.description)}`);
    if (patch.rateLimit !== undefined) set.push(`rate_limit = ${q.add(patch.rateLimit)}::integer`);
    if (patch.enabled === true) set.push('enabled = true', 'disabled_at = NULL', 'disabled_reason = NULL', 'failing_since = NULL');
    if (patch.enabled === false) set.push('enabled = false', 'disabled_at = coalesce(disabled_at, now())', `disabled_reason = coalesce(disabled_reason, ${q.add(MANUALLY_DISABLED)})`);
    const [rows] = (await this.db.query(`UPDATE ${TABLE} SET ${set.join(', ')} WHERE id = ${q.add(id)} RETURNING ${COLUMNS}`, q.values)) as [EndpointRow[], number];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * True when the endpoint existed; its deliveries and their attempts go with it, in the same
   * statement (the log has no foreign keys). A delivery a concurrent fan-in writes for it
   * meanwhile is ended by its first claim (its endpoint is gone) and removed with its message.
   */
  async delete(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `WITH endpoint AS (
         DELETE FROM ${TABLE} WHERE id = $1 RETURNING id
       ), deliveries AS (
         DELETE FROM notifications.webhook_deliveries d USING endpoint WHERE d.endpoint_id = endpoint.id RETURNING d.id
       ), attempts AS (
         DELETE FROM notifications.webhook_attempts a USING deliveries WHERE a.delivery_id = deliveries.id
       )
       SELECT id FROM endpoint`,
      [id],
    );
    return rows.length > 0;
  }

  /**
   * The current secret becomes the previous one, signing beside the new one until
   * `overlapHours` from now; a previous secret still in its overlap is dropped (a second
   * rotation within the overlap ends the first one's). `secret` as stored (WebhookSecrets.seal).
   * Null when there is no such endpoint.
   */
  async rotateSecret(id: string, secret: string, overlapHours: number): Promise<{ previousSecretExpiresAt: Date } | null> {
    const [rows] = (await this.db.query(
      `UPDATE ${TABLE} SET previous_secret = secret, previous_secret_expires_at = now() + make_interval(hours => $3),
              secret = $2, version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING previous_secret_expires_at`,
      [id, secret, overlapHours],
    )) as [Array<{ previous_secret_expires_at: Date }>, number];
    return rows[0] ? { previousSecretExpiresAt: rows[0].previous_secret_expires_at } : null;
  }
}
