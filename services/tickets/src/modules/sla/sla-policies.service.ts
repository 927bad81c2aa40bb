import type { Segment, TicketPriority } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SlaPolicyDto } from './dto/sla-policy.dto.js';

export interface SlaTargets {
  firstResponseSeconds: number;
  nextResponseSeconds: number;
  resolutionSeconds: number;
}

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

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async targets(segment: Segment, priority: TicketPriority, tx?: EntityManager): Promise<SlaTargets> {
    const policies = await this.load(tx);
    const found = policies.get(`${segment}:${priority}`);
    if (!found) throw new Error(`no SLA policy for ${segment}/${priority}`);
    return found;
  }

  async list(manager: EntityManager = this.db.manager): Promise<SlaPolicyDto[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT segment, priority, first_response_seconds, next_response_seconds, resolution_seconds FROM tickets.sla_policies
        ORDER BY array_position(ARRAY['vip','regular','online','walk_in'], segment), array_position(ARRAY['urgent','high','normal','low'], priority)`,
    );
    return rows.map((r) => ({
      segment: r['segment'] as Segment,
      priority: r['priority'] as TicketPriority,
      firstResponseSeconds: Number(r['first_response_seconds']),
      nextResponseSeconds: Number(r['next_response_seconds']),
      resolutionSeconds: Number(r['resolution_seconds']),
    }));
  }

  async replace(policies: SlaPolicyDto[]): Promise<SlaPolicyDto[]> {
    await this.db.transaction(async (tx) => {
      for (const p of policies) {
        await tx.query(
          `UPDATE tickets.sla_policies SET first_response_seconds = $3, next_response_seconds = $4, resolution_seconds = $5, updated_at = now()
            WHERE segment = $1 AND priority = $2`,
          [p.segment, p.priority, p.firstResponseSeconds, p.nextResponseSeconds, p.resolutionSeconds],
        );
      }
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
