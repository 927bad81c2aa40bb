import type { TicketActor } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { GroupsService } from '../groups/groups.service.js';
import type { CreateTicketDto } from './dto/create-ticket.dto.js';
import type { UpdateTicketDto } from './dto/update-ticket.dto.js';
import { TicketChanges, type TicketChange } from './ticket-changes.js';
import { TicketTimers } from './ticket-timers.js';
import { TicketsRepository } from './tickets.repository.js';
import type { TicketRecord } from './ticket.record.js';

/**
 * Tickets as the API opens, changes and reads them: checks what the client named (agents,
 * groups), then hands the change to the one write path (TicketChanges). Timers for the new state
 * are scheduled after the commit (and rebuilt by the reconciler should that fail).
 */
@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly groups: GroupsService,
    private readonly agents: AgentsService,
    private readonly customers: CustomerProjectionRepository,
    private readonly timers: TicketTimers,
  ) {}

  async create(dto: CreateTicketDto, actor: TicketActor): Promise<TicketRecord> {
    const group = dto.group ? { key: dto.group, ...(await this.groups.resolve(dto.group)) } : null;
    if (dto.assignee !== undefined) await this.agents.requireActive(dto.assignee, 'assignee');
    // Who the customer is needs no transaction, and the insert is one atomic statement: two
    // round trips in all, no BEGIN/COMMIT.
    const known = await this.customers.find(this.db.manager, dto.customer.externalId, dto.customer.email);
    const ticket = await this.changes.open(
      this.db.manager,
      {
        subject: dto.subject,
        description: dto.description,
        customer: dto.customer,
        channel: dto.channel,
        priority: dto.priority,
        type: dto.type,
        tags: dto.tags,
        orderExternalId: dto.orderExternalId,
        group,
        assigneeId: dto.assignee ?? null,
      },
      actor,
      known,
    );
    await this.timers.afterWrite([ticket]);
    return ticket;
  }

  async update(ref: string, dto: UpdateTicketDto, actor: TicketActor): Promise<TicketRecord> {
    const { ticket, changed } = await this.db.transaction(async (tx) => {
      const t = await this.tickets.find(ref, tx, true);
      const change: TicketChange = { status: dto.status, priority: dto.priority, type: dto.type, tags: dto.tags };
      if (dto.assignee !== undefined && dto.assignee !== t.assigneeId) {
        if (dto.assignee !== null) await this.agents.requireActive(dto.assignee, 'assignee', tx);
        change.assigneeId = dto.assignee;
      }
      if (dto.group !== undefined && dto.group !== t.groupKey) {
        change.group = dto.group === null ? null : { key: dto.group, id: await this.groups.resolveKey(dto.group, 'group', tx) };
      }
      return this.changes.applyChange(tx, t, change, actor);
    });
    if (changed) await this.timers.afterWrite([ticket]);
    return ticket;
  }

  async get(ref: string): Promise<TicketRecord> {
    return this.tickets.find(ref);
  }
}
