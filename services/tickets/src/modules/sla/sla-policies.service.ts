import type { Segment, TicketPriority } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SlaPolicyDto } from './dto/sla-policy.dto.js';
import { SlaPoliciesRepository } from './sla-policies.repository.js';
import type { SlaTargets } from './sla-policy.record.js';

export type { SlaTargets };

/** Other replicas pick up a policy change within this long. */
const CACHE_TTL_MS = 10_000;

/**
 * SLA targets per segment × priority, read on every ticket write: cached briefly, refreshed by
 * one query at a time, and read through the caller's transaction when it has one (taking a
 * second pool connection while holding one starves the pool under load).
 */
@Injectable()
export class SlaPoliciesService {
  private cache?: { policies: Map<string, SlaTargets>; expiresAt: number };
  private refreshing?: Promise<Map<string, SlaTargets>>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly policies: SlaPoliciesRepository,
  ) {}

  async targets(segment: Segment, priority: TicketPriority, tx?: EntityManager): Promise<SlaTargets> {
    const policies = await this.load(tx);
    const found = policies.get(`${segment}:${priority}`);
    if (!found) throw new Error(`no SLA policy for ${segment}/${priority}`);
    return found;
  }

  async list(manager?: EntityManager): Promise<SlaPolicyDto[]> {
    return this.policies.list(manager);
  }

  async replace(policies: SlaPolicyDto[]): Promise<SlaPolicyDto[]> {
    await this.db.transaction(async (tx) => {
      for (const p of policies) await this.policies.update(tx, p);
    });
    this.cache = undefined;
    return this.list();
  }

  private async load(tx?: EntityManager): Promise<Map<string, SlaTargets>> {
    if (this.cache && this.cache.expiresAt > Date.now()) return this.cache.policies;
    if (tx) return this.fetch(tx);
    this.refreshing ??= this.fetch(this.db.manager).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async fetch(manager: EntityManager): Promise<Map<string, SlaTargets>> {
    const policies = new Map((await this.list(manager)).map((p) => [`${p.segment}:${p.priority}`, p]));
    this.cache = { policies, expiresAt: Date.now() + CACHE_TTL_MS };
    return policies;
  }
}
