import type { TicketActor } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TicketEventDto, TicketEventType } from './ticket-event.dto.js';

export interface TicketEventInput {
  type: TicketEventType;
  field?: string;
  from?: unknown;
  to?: unknown;
  data?: Record<string, unknown>;
}

/** The audit trail: one row per change, with who did it, before and after. */
@Injectable()
export class TicketEventsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(tx: EntityManager, ticketId: string, actor: TicketActor, events: TicketEventInput[]): Promise<void> {
    if (events.length === 0) return;
    const values: unknown[] = [];
    const tuples = events.map((e, i) => {
      values.push(ticketId, e.type, e.field ?? null, JSON.stringify(e.from ?? null), JSON.stringify(e.to ?? null), actor.type, actor.id, JSON.stringify(e.data ?? {}));
      const o = i * 8;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}::jsonb, $${o + 5}::jsonb, $${o + 6}, $${o + 7}, $${o + 8}::jsonb)`;
    });
    await tx.query(
      `INSERT INTO tickets.ticket_events (ticket_id, type, field, from_value, to_value, actor_type, actor_id, data) VALUES ${tuples.join(', ')}`,
      values,
    );
  }

  async list(ticketId: string, limit: number, cursor?: string): Promise<Page<TicketEventDto>> {
    const [afterSeq] = cursor ? decodeCursor(cursor, ['bigint']) : [null];
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT id, seq, type, field, from_value, to_value, actor_type, actor_id, data, created_at FROM tickets.ticket_events
        WHERE ticket_id = $1 AND ($2::bigint IS NULL OR seq > $2::bigint) ORDER BY seq LIMIT $3`,
      [ticketId, afterSeq, limit + 1],
    );
    return toPage(rows, limit, (r) => [String(r['seq'])], (r) => ({
      id: r['id'] as string,
      type: r['type'] as TicketEventType,
      field: r['field'] as string | null,
      from: r['from_value'],
      to: r['to_value'],
      actor: { type: r['actor_type'] as string, id: r['actor_id'] as string | null },
      data: r['data'] as Record<string, unknown>,
      createdAt: (r['created_at'] as Date).toISOString(),
    }));
  }
}
