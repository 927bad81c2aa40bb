import type { Segment, TicketPriority } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SlaPolicyRecord } from './sla-policy.record.js';

@Injectable()
export class SlaPoliciesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Every policy, segments by rank (VIP first) and priorities by urgency. */
  async list(manager: EntityManager = this.db.manager): Promise<SlaPolicyRecord[]> {
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

  async update(tx: EntityManager, p: SlaPolicyRecord): Promise<void> {
    await tx.query(
      `UPDATE tickets.sla_policies SET first_response_seconds = $3, next_response_seconds = $4, resolution_seconds = $5, updated_at = now()
        WHERE segment = $1 AND priority = $2`,
      [p.segment, p.priority, p.firstResponseSeconds, p.nextResponseSeconds, p.resolutionSeconds],
    );
  }
}
