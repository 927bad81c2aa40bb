import { NotFoundError, UnprocessableError } from '@careflow/platform';
import type { TicketActor } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AgentRecord } from './agent.record.js';
import { AgentsRepository } from './agents.repository.js';
import type { AgentDto, UpsertAgentDto } from './dto/agent.dto.js';

function toDto(a: AgentRecord): AgentDto {
  return { id: a.id, email: a.email, name: a.name, active: a.active, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
}

/** The agents tickets can be assigned to and comments attributed to (ids are the shop's). */
@Injectable()
export class AgentsService {
  constructor(private readonly agents: AgentsRepository) {}

  async upsert(id: string, dto: UpsertAgentDto): Promise<AgentDto> {
    return toDto(await this.agents.upsert({ id, email: dto.email, name: dto.name ?? null, active: dto.active ?? true }));
  }

  async get(id: string): Promise<AgentDto> {
    const agent = await this.agents.find(id);
    if (!agent) throw new NotFoundError('agent', id);
    return toDto(agent);
  }

  async list(limit: number, cursor?: string): Promise<Page<AgentDto>> {
    const [createdCursor, id] = cursor ? (decodeCursor(cursor, ['timestamp', 'string']) as [string, string]) : [null, null];
    const agents = await this.agents.listAfter(createdCursor !== null ? { createdCursor, id: id! } : null, limit);
    return toPage(agents, limit, (a) => [a.createdCursor, a.id], toDto);
  }

  /** An agent acting through `On-Behalf-Of` must be a known, active agent (422 otherwise). */
  async requireActing(actor: TicketActor): Promise<void> {
    if (actor.type === 'agent' && actor.id) await this.requireActive(actor.id, 'On-Behalf-Of');
  }

  /** An agent id given by a client must name an active agent: otherwise 422 naming `field`. */
  async requireActive(id: string, field: string, tx?: EntityManager): Promise<AgentRecord> {
    const agent = await this.agents.find(id, tx);
    if (!agent) throw new UnprocessableError(field, `no agent with id ${JSON.stringify(id)}`);
    if (!agent.active) throw new UnprocessableError(field, `agent ${JSON.stringify(id)} is inactive`);
    return agent;
  }
}
