import { NotFoundError, UnprocessableError } from '@careflow/platform';
import type { TicketActor } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AgentDto, UpsertAgentDto } from './dto/agent.dto.js';

interface AgentRow {
  id: string;
  email: string;
  name: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  cursor_at: string;
}

function toDto(r: AgentRow): AgentDto {
  return { id: r.id, email: r.email, name: r.name, active: r.active, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}

/** The agents tickets can be assigned to and comments attributed to (ids are the shop's). */
@Injectable()
export class AgentsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async upsert(id: string, dto: UpsertAgentDto): Promise<AgentDto> {
    const rows: AgentRow[] = await this.db.query(
      `INSERT INTO tickets.agents AS a (id, email, name, active) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, active = excluded.active, updated_at = now()
       RETURNING *, created_at::text AS cursor_at`,
      [id, dto.email, dto.name ?? null, dto.active ?? true],
    );
    return toDto(rows[0]!);
  }

  async get(id: string): Promise<AgentDto> {
    const rows: AgentRow[] = await this.db.query(`SELECT *, created_at::text AS cursor_at FROM tickets.agents WHERE id = $1`, [id]);
    if (!rows[0]) throw new NotFoundError('agent', id);
    return toDto(rows[0]);
  }

  async list(limit: number, cursor?: string): Promise<Page<AgentDto>> {
    const [after, afterId] = cursor ? decodeCursor(cursor, ['timestamp', 'string']) : [null, null];
    const rows: AgentRow[] = await this.db.query(
      `SELECT *, created_at::text AS cursor_at FROM tickets.agents
        WHERE $1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::text) ORDER BY created_at, id LIMIT $3`,
      [after, afterId, limit + 1],
    );
    return toPage(rows, limit, (r) => [r.cursor_at, r.id], toDto);
  }

  /** An agent acting through `On-Behalf-Of` must be a known, active agent (422 otherwise). */
  async requireActing(actor: TicketActor): Promise<void> {
    if (actor.type === 'agent' && actor.id) await this.requireActive(actor.id, 'On-Behalf-Of');
  }

  /** An agent id given by a client must name an active agent: otherwise 422 naming `field`. */
  async requireActive(id: string, field: string, tx: EntityManager = this.db.manager): Promise<void> {
    const rows: Array<{ active: boolean }> = await tx.query(`SELECT active FROM tickets.agents WHERE id = $1`, [id]);
    if (!rows[0]) throw new UnprocessableError(field, `no agent with id ${JSON.stringify(id)}`);
    if (!rows[0].active) throw new UnprocessableError(field, `agent ${JSON.stringify(id)} is inactive`);
  }
}
