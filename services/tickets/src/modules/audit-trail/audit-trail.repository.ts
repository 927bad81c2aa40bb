import type { TicketActor } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditTrailEntry, AuditTrailEntryRecord } from './audit-trail-entry.record.js';

/** A ticket's audit trail: one row per change, with who did it, before and after. */
@Injectable()
export class AuditTrailRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Appends entries in one statement (a change often records several: status, priority, due times). */
  async record(tx: EntityManager, ticketId: string, actor: TicketActor, entries: AuditTrailEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const values: unknown[] = [];
    const tuples = entries.map((e, i) => {
      values.push(ticketId, e.type, e.field ?? null, JSON.stringify(e.from ?? null), JSON.stringify(e.to ?? null), actor.type, actor.id, JSON.stringify(e.data ?? {}));
      const o = i * 8;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}::jsonb, $${o + 5}::jsonb, $${o + 6}, $${o + 7}, $${o + 8}::jsonb)`;
    });
    await tx.query(
      `INSERT INTO tickets.ticket_events (ticket_id, type, field, from_value, to_value, actor_type, actor_id, data) VALUES ${tuples.join(', ')}`,
      values,
    );
  }

  /** Entries of a ticket after `afterSeq`, oldest first (`limit + 1` rows tell whether more follow). */
  async listAfter(ticketId: string, afterSeq: string | null, limit: number): Promise<AuditTrailEntryRecord[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT id, seq, type, field, from_value, to_value, actor_type, actor_id, data, created_at FROM tickets.ticket_events
        WHERE ticket_id = $1 AND ($2::bigint IS NULL OR seq > $2::bigint) ORDER BY seq LIMIT $3`,
      [ticketId, afterSeq, limit + 1],
    );
    return rows.map((r) => ({
      id: r['id'] as string,
      seq: String(r['seq']),
      type: r['type'] as AuditTrailEntryRecord['type'],
      field: r['field'] as string | null,
      from: r['from_value'],
      to: r['to_value'],
      actor: { type: r['actor_type'] as TicketActor['type'], id: r['actor_id'] as string | null },
      data: r['data'] as Record<string, unknown>,
      createdAt: r['created_at'] as Date,
    }));
  }
}
