import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AgentRecord } from './agent.record.js';

interface AgentRow {
  id: string;
  email: string;
  name: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  cursor_at: string;
}

const COLUMNS = `id, email, name, active, created_at, updated_at, created_at::text AS cursor_at`;

function toRecord(r: AgentRow): AgentRecord {
  return { id: r.id, email: r.email, name: r.name, active: r.active, createdAt: r.created_at, updatedAt: r.updated_at, createdCursor: r.cursor_at };
}

@Injectable()
export class AgentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async upsert(agent: Pick<AgentRecord, 'id' | 'email' | 'name' | 'active'>): Promise<AgentRecord> {
    const rows: AgentRow[] = await this.db.query(
      `INSERT INTO tickets.agents AS a (id, email, name, active) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, active = excluded.active, updated_at = now()
       RETURNING ${COLUMNS}`,
      [agent.id, agent.email, agent.name, agent.active],
    );
    return toRecord(rows[0]!);
  }

  async find(id: string, tx: EntityManager = this.db.manager): Promise<AgentRecord | null> {
    const rows: AgentRow[] = await tx.query(`SELECT ${COLUMNS} FROM tickets.agents WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** A page in creation order after the cursor position (`limit + 1` rows tell whether more follow). */
  async listAfter(after: { createdCursor: string; id: string } | null, limit: number): Promise<AgentRecord[]> {
    const rows: AgentRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM tickets.agents
        WHERE $1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::text) ORDER BY created_at, id LIMIT $3`,
      [after?.createdCursor ?? null, after?.id ?? null, limit + 1],
    );
    return rows.map(toRecord);
  }
}
