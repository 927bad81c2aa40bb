import { NotFoundError, UnprocessableError } from '@careflow/platform';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { CreateGroupDto, GroupDto, UpdateGroupDto } from './dto/group.dto.js';
import { AddressTakenError, GroupExistsError } from './groups.exceptions.js';

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

function toDto(r: GroupRow): GroupDto {
  return { key: r.key, name: r.name, inboundAddresses: r.inbound_addresses, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}

const CACHE_TTL_MS = 10_000;

@Injectable()
export class GroupsService {
  private idCache = new Map<string, { id: string; address: string | null; expiresAt: number }>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(dto: CreateGroupDto): Promise<GroupDto> {
    return this.db.transaction(async (tx) => {
      const rows: Array<{ id: string }> = await tx.query(
        `INSERT INTO tickets.groups (key, name) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING id`,
        [dto.key, dto.name],
      );
      if (!rows[0]) throw new GroupExistsError(dto.key);
      await this.setAddresses(tx, rows[0].id, dto.inboundAddresses ?? []);
      return this.get(dto.key, tx);
    });
  }

  async update(key: string, dto: UpdateGroupDto): Promise<GroupDto> {
    return this.db.transaction(async (tx) => {
      const rows: Array<{ id: string }> = await tx.query(`SELECT id FROM tickets.groups WHERE key = $1 FOR UPDATE`, [key]);
      if (!rows[0]) throw new NotFoundError('group', key);
      if (dto.name !== undefined) await tx.query(`UPDATE tickets.groups SET name = $2, updated_at = now() WHERE id = $1`, [rows[0].id, dto.name]);
      if (dto.inboundAddresses !== undefined) {
        await tx.query(`DELETE FROM tickets.group_addresses WHERE group_id = $1`, [rows[0].id]);
        await this.setAddresses(tx, rows[0].id, dto.inboundAddresses);
        await tx.query(`UPDATE tickets.groups SET updated_at = now() WHERE id = $1`, [rows[0].id]);
      }
      this.idCache.delete(key);
      return this.get(key, tx);
    });
  }

  async get(key: string, tx: EntityManager = this.db.manager): Promise<GroupDto> {
    const rows: GroupRow[] = await tx.query(`${SELECT} WHERE g.key = $1`, [key]);
    if (!rows[0]) throw new NotFoundError('group', key);
    return toDto(rows[0]);
  }

  async list(limit: number, cursor?: string): Promise<Page<GroupDto>> {
    const [after, afterId] = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : [null, null];
    const rows: GroupRow[] = await this.db.query(
      `${SELECT} WHERE $1::timestamptz IS NULL OR (g.created_at, g.id) > ($1::timestamptz, $2::uuid) ORDER BY g.created_at, g.id LIMIT $3`,
      [after, afterId, limit + 1],
    );
    return toPage(rows, limit, (r) => [r.cursor_at, r.id], toDto);
  }

  /** The group's id for a key given by a client: an unknown key is a 422 naming `field`. */
  async resolveKey(key: string, field = 'group', tx: EntityManager = this.db.manager): Promise<string> {
    return (await this.resolve(key, field, tx)).id;
  }

  /** The group's id and reply address (its first inbound address), briefly cached. */
  async resolve(key: string, field = 'group', tx: EntityManager = this.db.manager): Promise<{ id: string; address: string | null }> {
    const cached = this.idCache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const rows: Array<{ id: string; address: string | null }> = await tx.query(
      `SELECT g.id, (SELECT min(a.address) FROM tickets.group_addresses a WHERE a.group_id = g.id) AS address FROM tickets.groups g WHERE g.key = $1`,
      [key],
    );
    if (!rows[0]) throw new UnprocessableError(field, `no group with key ${JSON.stringify(key)}`);
    const entry = { id: rows[0].id, address: rows[0].address, expiresAt: Date.now() + CACHE_TTL_MS };
    this.idCache.set(key, entry);
    return entry;
  }

  /**
   * Routes the addresses to the group. The insert decides (the address is the key of
   * group_addresses): a concurrent request that took an address first makes this one a 409
   * naming it, never a 201 that silently dropped it.
   */
  private async setAddresses(tx: EntityManager, groupId: string, addresses: string[]): Promise<void> {
    for (const address of addresses) {
      const inserted: Array<{ address: string }> = await tx.query(
        `INSERT INTO tickets.group_addresses (address, group_id) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING RETURNING address`,
        [address, groupId],
      );
      if (inserted[0]) continue;
      const owner: Array<{ key: string; group_id: string }> = await tx.query(
        `SELECT g.key, a.group_id FROM tickets.group_addresses a JOIN tickets.groups g ON g.id = a.group_id WHERE a.address = $1`,
        [address],
      );
      if (owner[0]?.group_id !== groupId) throw new AddressTakenError(address, owner[0]?.key ?? 'another group');
    }
  }

}
