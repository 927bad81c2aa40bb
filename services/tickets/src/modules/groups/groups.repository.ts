import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { GroupRecord, GroupRoute } from './group.record.js';

interface GroupRow {
  id: string;
  key: string;
  name: string;
  inbound_addresses: string[];
  created_at: Date;
  updated_at: Date;
  cursor_at: string;
}

const SELECT = `SELECT g.id, g.key, g.name, g.created_at, g.updated_at, g.created_at::text AS cursor_at,
  coalesce((SELECT array_agg(a.address ORDER BY a.address) FROM tickets.group_addresses a WHERE a.group_id = g.id), '{}') AS inbound_addresses
  FROM tickets.groups g`;

function toRecord(r: GroupRow): GroupRecord {
  return { id: r.id, key: r.key, name: r.name, inboundAddresses: r.inbound_addresses, createdAt: r.created_at, updatedAt: r.updated_at, createdCursor: r.cursor_at };
}

@Injectable()
export class GroupsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The new group's id, or null when the key is taken. */
  async insert(tx: EntityManager, key: string, name: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO tickets.groups (key, name) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING id`,
      [key, name],
    );
    return rows[0]?.id ?? null;
  }

  /** The group's id, locked for a change; null when there is none. */
  async lockByKey(tx: EntityManager, key: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await tx.query(`SELECT id FROM tickets.groups WHERE key = $1 FOR UPDATE`, [key]);
    return rows[0]?.id ?? null;
  }

  async rename(tx: EntityManager, id: string, name: string): Promise<void> {
    await tx.query(`UPDATE tickets.groups SET name = $2, updated_at = now() WHERE id = $1`, [id, name]);
  }

  async touch(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`UPDATE tickets.groups SET updated_at = now() WHERE id = $1`, [id]);
  }

  async removeAddresses(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`DELETE FROM tickets.group_addresses WHERE group_id = $1`, [id]);
  }

  /**
   * Routes an address to the group. The insert decides (the address is the key of
   * group_addresses), so of two concurrent claims exactly one wins. Returns the key of the group
   * that holds the address afterwards.
   */
  async claimAddress(tx: EntityManager, groupId: string, address: string): Promise<{ claimed: boolean; ownerKey: string | null }> {
    const inserted: unknown[] = await tx.query(
      `INSERT INTO tickets.group_addresses (address, group_id) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING RETURNING address`,
      [address, groupId],
    );
    if (inserted.length > 0) return { claimed: true, ownerKey: null };
    const owner: Array<{ key: string; group_id: string }> = await tx.query(
      `SELECT g.key, a.group_id FROM tickets.group_addresses a JOIN tickets.groups g ON g.id = a.group_id WHERE a.address = $1`,
      [address],
    );
    return { claimed: owner[0]?.group_id === groupId, ownerKey: owner[0]?.key ?? null };
  }

  async findByKey(key: string, tx: EntityManager = this.db.manager): Promise<GroupRecord | null> {
    const rows: GroupRow[] = await tx.query(`${SELECT} WHERE g.key = $1`, [key]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async listAfter(after: { createdCursor: string; id: string } | null, limit: number): Promise<GroupRecord[]> {
    const rows: GroupRow[] = await this.db.query(
      `${SELECT} WHERE $1::timestamptz IS NULL OR (g.created_at, g.id) > ($1::timestamptz, $2::uuid) ORDER BY g.created_at, g.id LIMIT $3`,
      [after?.createdCursor ?? null, after?.id ?? null, limit + 1],
    );
    return rows.map(toRecord);
  }

  async routeOf(key: string, tx: EntityManager = this.db.manager): Promise<GroupRoute | null> {
    const rows: GroupRoute[] = await tx.query(
      `SELECT g.id, (SELECT min(a.address) FROM tickets.group_addresses a WHERE a.group_id = g.id) AS address FROM tickets.groups g WHERE g.key = $1`,
      [key],
    );
    return rows[0] ?? null;
  }

  /** The groups that hold any of `addresses` as an inbound address: each held address with its group's key, id and reply address. */
  async routesOfAddresses(addresses: readonly string[], tx: EntityManager = this.db.manager): Promise<Array<GroupRoute & { key: string; inboundAddress: string }>> {
    return tx.query(
      `SELECT a.address AS "inboundAddress", g.key, g.id,
              (SELECT min(r.address) FROM tickets.group_addresses r WHERE r.group_id = g.id) AS address
         FROM tickets.group_addresses a JOIN tickets.groups g ON g.id = a.group_id
        WHERE a.address = ANY($1::text[])`,
      [addresses],
    );
  }
}
