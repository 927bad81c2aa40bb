import { NotFoundError, UnprocessableError } from '@careflow/platform';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { CreateGroupDto, GroupDto, UpdateGroupDto } from './dto/group.dto.js';
import type { GroupRecord, GroupRoute } from './group.record.js';
import { AddressTakenError, GroupExistsError } from './groups.exceptions.js';
import { GroupsRepository } from './groups.repository.js';

function toDto(g: GroupRecord): GroupDto {
  return { key: g.key, name: g.name, inboundAddresses: g.inboundAddresses, createdAt: g.createdAt.toISOString(), updatedAt: g.updatedAt.toISOString() };
}

const CACHE_TTL_MS = 10_000;

@Injectable()
export class GroupsService {
  private routeCache = new Map<string, GroupRoute & { expiresAt: number }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly groups: GroupsRepository,
  ) {}

  async create(dto: CreateGroupDto): Promise<GroupDto> {
    return this.db.transaction(async (tx) => {
      const id = await this.groups.insert(tx, dto.key, dto.name);
      if (!id) throw new GroupExistsError(dto.key);
      await this.claimAddresses(tx, id, dto.inboundAddresses ?? []);
      return this.get(dto.key, tx);
    });
  }

  async update(key: string, dto: UpdateGroupDto): Promise<GroupDto> {
    return this.db.transaction(async (tx) => {
      const id = await this.groups.lockByKey(tx, key);
      if (!id) throw new NotFoundError('group', key);
      if (dto.name !== undefined) await this.groups.rename(tx, id, dto.name);
      if (dto.inboundAddresses !== undefined) {
        await this.groups.removeAddresses(tx, id);
        await this.claimAddresses(tx, id, dto.inboundAddresses);
        await this.groups.touch(tx, id);
      }
      this.routeCache.delete(key);
      return this.get(key, tx);
    });
  }

  async get(key: string, tx?: EntityManager): Promise<GroupDto> {
    const group = await this.groups.findByKey(key, tx);
    if (!group) throw new NotFoundError('group', key);
    return toDto(group);
  }

  async list(limit: number, cursor?: string): Promise<Page<GroupDto>> {
    const [createdCursor, id] = cursor ? (decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string]) : [null, null];
    const groups = await this.groups.listAfter(createdCursor !== null ? { createdCursor, id: id! } : null, limit);
    return toPage(groups, limit, (g) => [g.createdCursor, g.id], toDto);
  }

  /** The group's id for a key given by a client: an unknown key is a 422 naming `field`. */
  async resolveKey(key: string, field = 'group', tx?: EntityManager): Promise<string> {
    return (await this.resolve(key, field, tx)).id;
  }

  /** The group's id and reply address (its first inbound address), briefly cached. */
  async resolve(key: string, field = 'group', tx?: EntityManager): Promise<GroupRoute> {
    const cached = this.routeCache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const route = await this.groups.routeOf(key, tx);
    if (!route) throw new UnprocessableError(field, `no group with key ${JSON.stringify(key)}`);
    const entry = { ...route, expiresAt: Date.now() + CACHE_TTL_MS };
    this.routeCache.set(key, entry);
    return entry;
  }

  /**
   * The group whose inbound address comes first in `addresses` (in the caller's order), with
   * its id and reply address; null when none is a group's.
   */
  async routeOfFirstAddress(addresses: readonly string[], tx?: EntityManager): Promise<AddressedRoute | null> {
    return (await this.addressBook(addresses, tx)).firstRoute(addresses);
  }

  /** Those of `addresses` that are a group's inbound address. */
  async inboundAddressesAmong(addresses: readonly string[], tx?: EntityManager): Promise<Set<string>> {
    return (await this.addressBook(addresses, tx)).inbound(addresses);
  }

  /** The groups' inbound addresses among `addresses`, looked up once, to route many messages by. */
  async addressBook(addresses: readonly string[], tx?: EntityManager): Promise<GroupAddressBook> {
    return new GroupAddressBook(addresses.length === 0 ? [] : await this.groups.routesOfAddresses([...new Set(addresses)], tx));
  }

  /** A concurrent request that took an address first makes this one a 409 naming it, never a 201 without it. */
  private async claimAddresses(tx: EntityManager, groupId: string, addresses: string[]): Promise<void> {
    for (const address of addresses) {
      const { claimed, ownerKey } = await this.groups.claimAddress(tx, groupId, address);
      if (!claimed) throw new AddressTakenError(address, ownerKey ?? 'another group');
    }
  }
}

type AddressedRoute = GroupRoute & { key: string; inboundAddress: string };

/** Which of a set of addresses are groups' inbound addresses, and of which group. */
export class GroupAddressBook {
  constructor(private readonly routes: readonly AddressedRoute[]) {}

  /** The route of the first of `addresses` (in their order) that is a group's inbound address. */
  firstRoute(addresses: readonly string[]): AddressedRoute | null {
    for (const address of addresses) {
      const route = this.routes.find((r) => r.inboundAddress === address);
      if (route) return route;
    }
    return null;
  }

  inbound(addresses: readonly string[]): Set<string> {
    const held = new Set(this.routes.map((r) => r.inboundAddress));
    return new Set(addresses.filter((a) => held.has(a)));
  }
}
