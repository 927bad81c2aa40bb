import { SqlParams } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type {
  EncryptedSecret,
  MailboxChanges,
  MailboxForFetch,
  MailboxRecord,
  MailboxSettings,
  StoredMailboxState,
} from './mailbox.record.js';

interface MailboxRow {
  id: string;
  name: string;
  host: string;
  port: number;
  tls: MailboxRecord['tls'];
  username: string;
  auth_method: MailboxRecord['authMethod'];
  folder: string;
  after_fetch: MailboxRecord['afterFetch'];
  move_to: string | null;
  group_key: string | null;
  enabled: boolean;
  poll_seconds: number;
  version: number;
  state: StoredMailboxState;
  last_fetch_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  consecutive_failures: number;
  fetched_count: number;
  created_at: Date;
  updated_at: Date;
  created_cursor: string;
}

interface FetchRow extends MailboxRow {
  secret: Buffer;
  secret_key_id: string;
  uid_validity: string | null;
  last_uid: string;
}

const COLUMNS = `id, name, host, port, tls, username, auth_method, folder, after_fetch, move_to, group_key, enabled, poll_seconds, version,
  state, last_fetch_at, last_success_at, last_error, last_error_at, consecutive_failures, fetched_count::float8 AS fetched_count,
  created_at, updated_at, created_at::text AS created_cursor`;

function toRecord(r: MailboxRow): MailboxRecord {
  return {
    id: r.id,
    name: r.name,
    host: r.host,
    port: r.port,
    tls: r.tls,
    username: r.username,
    authMethod: r.auth_method,
    folder: r.folder,
    afterFetch: r.after_fetch,
    moveTo: r.move_to,
    groupKey: r.group_key,
    enabled: r.enabled,
    pollSeconds: r.poll_seconds,
    version: r.version,
    state: r.state,
    lastFetchAt: r.last_fetch_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    consecutiveFailures: r.consecutive_failures,
    fetchedCount: r.fetched_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdCursor: r.created_cursor,
  };
}

/** Settings columns by domain field, for PATCH. */
const SETTING_COLUMNS: Record<keyof MailboxSettings, string> = {
  name: 'name',
  host: 'host',
  port: 'port',
  tls: 'tls',
  username: 'username',
  folder: 'folder',
  afterFetch: 'after_fetch',
  moveTo: 'move_to',
  groupKey: 'group_key',
  enabled: 'enabled',
  pollSeconds: 'poll_seconds',
};

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e.code === UNIQUE_VIOLATION || e.driverError?.code === UNIQUE_VIOLATION;
}

/** IMAP mailboxes, their encrypted credentials, fetch status and leases (schema email_ingest). */
@Injectable()
export class MailboxesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The new mailbox, or null when this folder of this account is registered already. */
  async insert(id: string, s: MailboxSettings, secret: EncryptedSecret): Promise<MailboxRecord | null> {
    const rows: MailboxRow[] = await this.db.query(
      `INSERT INTO email_ingest.mailboxes (id, name, host, port, tls, username, auth_method, secret, secret_key_id, folder, after_fetch, move_to,
         group_key, enabled, poll_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [id, s.name, s.host, s.port, s.tls, s.username, secret.authMethod, secret.ciphertext, secret.keyId, s.folder, s.afterFetch, s.moveTo, s.groupKey, s.enabled, s.pollSeconds],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async find(id: string): Promise<MailboxRecord | null> {
    const rows: MailboxRow[] = await this.db.query(`SELECT ${COLUMNS} FROM email_ingest.mailboxes WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Oldest first, after the keyset position; `limit + 1` rows (toPage). */
  async listAfter(after: { createdCursor: string; id: string } | null, limit: number): Promise<MailboxRecord[]> {
    const rows: MailboxRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM email_ingest.mailboxes
        WHERE $1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid) ORDER BY created_at, id LIMIT $3`,
      [after?.createdCursor ?? null, after?.id ?? null, limit + 1],
    );
    return rows.map(toRecord);
  }

  /**
   * Applies a change and bumps the version, so the fetcher restarts with it; the failure count
   * is reset (a fixed password is tried at once, not after the backoff of the wrong one).
   * `conflict` when the change collides with another registration of the same folder.
   */
  async update(id: string, changes: MailboxChanges, resetPosition: boolean): Promise<MailboxRecord | null | 'conflict'> {
    const q = new SqlParams();
    const sets: string[] = [];
    for (const [field, column] of Object.entries(SETTING_COLUMNS) as Array<[keyof MailboxSettings, string]>) {
      if (changes[field] !== undefined) sets.push(`${column} = ${q.add(changes[field])}`);
    }
    if (changes.secret) {
      sets.push(`auth_method = ${q.add(changes.secret.authMethod)}`, `secret = ${q.add(changes.secret.ciphertext)}`, `secret_key_id = ${q.add(changes.secret.keyId)}`);
    }
    // Another server or folder: the UIDs remembered mean nothing there.
    if (resetPosition) sets.push(`uid_validity = NULL`, `last_uid = 0`);
    sets.push(`version = version + 1`, `consecutive_failures = 0`, `state = CASE WHEN state = 'error' THEN 'connecting' ELSE state END`, `updated_at = now()`);
    try {
      // TypeORM answers UPDATE … RETURNING with [rows, affected].
      const [rows]: [MailboxRow[], number] = await this.db.query(
        `UPDATE email_ingest.mailboxes SET ${sets.join(', ')} WHERE id = ${q.add(id)} RETURNING ${COLUMNS}`,
        q.values,
      );
      return rows[0] ? toRecord(rows[0]) : null;
    } catch (error) {
      if (isUniqueViolation(error)) return 'conflict';
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.db.query(`DELETE FROM email_ingest.mailboxes WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }

  /** The group a mailbox feeds (for routing its messages); null when none or the mailbox is gone. */
  async groupKeyOf(id: string): Promise<string | null> {
    const rows: Array<{ group_key: string | null }> = await this.db.query(`SELECT group_key FROM email_ingest.mailboxes WHERE id = $1`, [id]);
    return rows[0]?.group_key ?? null;
  }

  // --- the fetch worker ---

  /**
   * Takes or renews this replica's lease on every enabled mailbox that is free, expired or
   * already its own, in one statement; returns what it holds now. A row is updated by one
   * transaction at a time, so of two replicas claiming an expired lease exactly one gets it.
   */
  async claimLeases(owner: string, seconds: number): Promise<Array<{ id: string; version: number }>> {
    const [rows]: [Array<{ id: string; version: number }>, number] = await this.db.query(
      `UPDATE email_ingest.mailboxes SET lease_owner = $1, lease_until = now() + make_interval(secs => $2)
        WHERE enabled AND (lease_owner = $1 OR lease_until IS NULL OR lease_until < now())
        RETURNING id, version`,
      [owner, seconds],
    );
    return rows;
  }

  /** Gives up this replica's leases (shutdown), so another replica takes the mailboxes at once. */
  async releaseLeases(owner: string, ids?: readonly string[]): Promise<void> {
    await this.db.query(
      `UPDATE email_ingest.mailboxes SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))`,
      [owner, ids ?? null],
    );
  }

  async findForFetch(id: string): Promise<MailboxForFetch | null> {
    const rows: FetchRow[] = await this.db.query(
      `SELECT ${COLUMNS}, secret, secret_key_id, uid_validity::text AS uid_validity, last_uid::text AS last_uid FROM email_ingest.mailboxes WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      ...toRecord(r),
      secret: { authMethod: r.auth_method, ciphertext: r.secret, keyId: r.secret_key_id },
      uidValidity: r.uid_validity === null ? null : BigInt(r.uid_validity),
      lastUid: Number(r.last_uid),
    };
  }

  async setState(id: string, state: StoredMailboxState): Promise<void> {
    await this.db.query(`UPDATE email_ingest.mailboxes SET state = $2 WHERE id = $1 AND state IS DISTINCT FROM $2`, [id, state]);
  }

  async markFetchStarted(id: string): Promise<void> {
    await this.db.query(`UPDATE email_ingest.mailboxes SET last_fetch_at = now() WHERE id = $1`, [id]);
  }

  /** A fetch completed: the failure streak ends. */
  async recordSuccess(id: string, state: StoredMailboxState): Promise<void> {
    await this.db.query(
      `UPDATE email_ingest.mailboxes SET state = $2, last_success_at = now(), consecutive_failures = 0 WHERE id = $1`,
      [id, state],
    );
  }

  /** A connection or fetch failed; returns the failures in a row, which set the wait before the next try. */
  async recordFailure(id: string, message: string): Promise<number> {
    const [rows]: [Array<{ consecutive_failures: number }>, number] = await this.db.query(
      `UPDATE email_ingest.mailboxes SET state = 'error', last_error = $2, last_error_at = now(), consecutive_failures = consecutive_failures + 1
        WHERE id = $1 RETURNING consecutive_failures`,
      [id, message],
    );
    return rows[0]?.consecutive_failures ?? 1;
  }

  /** Something worth showing that does not stop fetching (a message left in the folder). */
  async recordNotice(id: string, message: string): Promise<void> {
    await this.db.query(`UPDATE email_ingest.mailboxes SET last_error = $2, last_error_at = now() WHERE id = $1`, [id, message]);
  }

  /** The folder's UIDVALIDITY changed (or is first seen): UIDs start over. */
  async resetPosition(id: string, uidValidity: bigint): Promise<void> {
    await this.db.query(`UPDATE email_ingest.mailboxes SET uid_validity = $2, last_uid = 0 WHERE id = $1`, [id, uidValidity.toString()]);
  }

  /** A message was stored and marked, moved or deleted: later fetches start above its UID. */
  async recordHandled(id: string, uidValidity: bigint, uid: number, stored: boolean): Promise<void> {
    await this.db.query(
      `UPDATE email_ingest.mailboxes SET last_uid = greatest(last_uid, $3), fetched_count = fetched_count + $4
        WHERE id = $1 AND uid_validity = $2`,
      [id, uidValidity.toString(), uid, stored ? 1 : 0],
    );
  }
}
