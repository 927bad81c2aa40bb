import type { Channel, TicketActor, TicketPriority, TicketStatus, TicketType } from '@careflow/contracts';
import { randomUUID } from 'node:crypto';
import { LOGGER, type Logger } from '@careflow/platform';
import { Outbox } from '@careflow/persistence';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import { CustomerProjectionService, type KnownCustomer } from '../customers/customer-projection.service.js';
import { TicketEventsService, type TicketEventInput } from '../events/ticket-events.service.js';
import { GroupsService } from '../groups/groups.service.js';
import { derivePriority, policySegment } from '../sla/priority-policy.js';
import { SlaPoliciesService } from '../sla/sla-policies.service.js';
import { TicketTimers } from '../timers/ticket-timers.js';
import type { CreateTicketDto } from './dto/create-ticket.dto.js';
import type { UpdateTicketDto } from './dto/update-ticket.dto.js';
import { canTransition } from './status-machine.js';
import { InvalidTransitionError } from './tickets.exceptions.js';
import { NOW, TicketsRepository, type TicketPatch } from './tickets.repository.js';
import { toTicketSnapshot, type TicketRecord } from './ticket.record.js';

export type Changes = Record<string, { from: unknown; to: unknown }>;

const PRIORITY_RANK: Record<TicketPriority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

export interface TicketDraft {
  subject: string;
  description: string;
  customer: { externalId?: string | null; email: string | null; name?: string | null };
  channel: Channel;
  priority?: TicketPriority;
  type?: TicketType;
  tags?: string[];
  orderExternalId?: string | null;
  /** The owning group (its key; id and address are resolved if not given). */
  group?: { key: string; id?: string; address?: string | null } | null;
  assigneeId?: string | null;
  shipmentId?: string | null;
  followUpOf?: string | null;
  sourceInboundEmailId?: string | null;
}

/**
 * The ticket lifecycle. Every write happens in one transaction with its audit events and the
 * outbox event announcing it; timers for the new state are scheduled after the commit (and
 * rebuilt by the reconciler should that fail).
 */
@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tickets: TicketsRepository,
    private readonly events: TicketEventsService,
    private readonly groups: GroupsService,
    private readonly agents: AgentsService,
    private readonly customers: CustomerProjectionService,
    private readonly sla: SlaPoliciesService,
    private readonly timers: TicketTimers,
    private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(dto: CreateTicketDto, actor: TicketActor): Promise<TicketRecord> {
    const group = dto.group ? { key: dto.group, ...(await this.groups.resolve(dto.group)) } : null;
    if (dto.assignee) await this.agents.requireActive(dto.assignee, 'assignee');
    // Who the customer is needs no transaction, and the insert is one atomic statement: two
    // round trips in all, no BEGIN/COMMIT.
    const known = await this.customers.find(this.db.manager, dto.customer.externalId, dto.customer.email);
    const ticket = await this.open(
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
    await this.scheduleTimers([ticket]);
    return ticket;
  }

  /** Opens a ticket inside `tx` (API, e-mail, shipment incidents, follow-ups). */
  async open(tx: EntityManager, d: TicketDraft, actor: TicketActor, known?: KnownCustomer | null): Promise<TicketRecord> {
    if (known === undefined) known = await this.customers.find(tx, d.customer.externalId, d.customer.email);
    const type = d.type ?? 'question';
    const segment = known?.segment ?? null;
    const priority = d.priority ?? derivePriority(type, segment);
    const targets = await this.sla.targets(policySegment(segment), priority, tx);
    const group = d.group?.id ? { id: d.group.id, address: d.group.address ?? null } : d.group ? await this.groups.resolve(d.group.key, 'group', tx) : null;
    const now = new Date();
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    const record: TicketRecord = {
      id: randomUUID(),
      number: 0,
      subject: d.subject,
      description: d.description,
      status: 'new',
      priority,
      priorityExplicit: d.priority !== undefined,
      priorityRank: PRIORITY_RANK[priority],
      type,
      channel: d.channel,
      segment,
      customerExternalId: d.customer.externalId ?? known?.externalId ?? null,
      customerEmail: d.customer.email ?? known?.email ?? null,
      customerName: d.customer.name ?? known?.name ?? null,
      customerLocale: known?.locale ?? null,
      groupId: group?.id ?? null,
      groupKey: d.group?.key ?? null,
      groupAddress: group?.address ?? null,
      assigneeId: d.assigneeId ?? null,
      tags: [...new Set(d.tags ?? [])],
      orderExternalId: d.orderExternalId ?? null,
      shipmentId: d.shipmentId ?? null,
      followUpOf: d.followUpOf ?? null,
      firstResponseDueAt: at(targets.firstResponseSeconds),
      firstRespondedAt: null,
      nextResponseDueAt: null,
      resolutionDueAt: at(targets.resolutionSeconds),
      firstResponseBreachedAt: null,
      nextResponseBreachedAt: null,
      resolutionBreachedAt: null,
      solvedAt: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
      createdCursor: now.toISOString(),
      updatedCursor: now.toISOString(),
    };
    return this.tickets.insertAnnounced(
      tx,
      record,
      { actor, data: { channel: d.channel, priority, segment, type, followUpOf: d.followUpOf ?? null }, sourceInboundEmailId: d.sourceInboundEmailId ?? null },
      { ticket: toTicketSnapshot(record), changes: {}, actor },
    );
  }

  async update(ref: string, dto: UpdateTicketDto, actor: TicketActor): Promise<TicketRecord> {
    const { ticket, changed } = await this.db.transaction(async (tx) => {
      const t = await this.tickets.find(ref, tx, true);
      const patch: TicketPatch = {};
      const events: TicketEventInput[] = [];
      const changes: Changes = {};
      const change = (field: string, type: TicketEventInput['type'], from: unknown, to: unknown) => {
        events.push({ type, field, from, to });
        changes[field] = { from, to };
      };

      if (dto.status !== undefined && dto.status !== t.status) {
        Object.assign(patch, this.statusPatch(t, dto.status));
        change('status', 'status_changed', t.status, dto.status);
      }
      const type = dto.type ?? t.type;
      if (type !== t.type) {
        patch.type = type;
        change('type', 'type_changed', t.type, type);
      }
      let priority = t.priority;
      if (dto.priority !== undefined && dto.priority !== t.priority) {
        priority = dto.priority;
        patch.priority_explicit = true;
      } else if (dto.priority === undefined && type !== t.type && !t.priorityExplicit) {
        priority = derivePriority(type, t.segment);
      }
      if (priority !== t.priority) {
        patch.priority = priority;
        change('priority', 'priority_changed', t.priority, priority);
        events.push(...(await this.retarget(tx, t, priority, patch, changes)));
      }
      if (dto.assignee !== undefined && dto.assignee !== t.assigneeId) {
        if (dto.assignee !== null) await this.agents.requireActive(dto.assignee, 'assignee', tx);
        patch.assignee_id = dto.assignee;
        change('assignee', 'assignee_changed', t.assigneeId, dto.assignee);
      }
      if (dto.group !== undefined && dto.group !== t.groupKey) {
        patch.group_id = dto.group === null ? null : await this.groups.resolveKey(dto.group, 'group', tx);
        change('group', 'group_changed', t.groupKey, dto.group);
      }
      if (dto.tags !== undefined) {
        const tags = [...new Set(dto.tags)];
        if (tags.length !== t.tags.length || tags.some((tag) => !t.tags.includes(tag))) {
          patch.tags = tags;
          change('tags', 'tags_changed', t.tags, tags);
        }
      }
      if (events.length === 0) return { ticket: t, changed: false };
      const updated = await this.tickets.update(tx, t.id, patch);
      await this.events.record(tx, t.id, actor, events);
      await this.announce(tx, t, updated, changes, actor);
      return { ticket: updated, changed: true };
    });
    if (changed) await this.scheduleTimers([ticket]);
    return ticket;
  }

  /** Column changes of a status change (the transition must be allowed). */
  statusPatch(t: TicketRecord, to: TicketStatus): TicketPatch {
    if (!canTransition(t.status, to)) throw new InvalidTransitionError(t.status, to);
    const patch: TicketPatch = { status: to };
    if (to === 'solved') patch.solved_at = NOW;
    // A reopen forgets the solve; closing keeps it (when it was solved is worth knowing).
    if (t.status === 'solved' && to === 'open') patch.solved_at = null;
    if (to === 'closed') patch.closed_at = NOW;
    return patch;
  }

  /**
   * New SLA due times for a new priority or segment, counted from the ticket's creation, for
   * the clocks still running. Returns the audit event when a due time moved.
   */
  async retarget(tx: EntityManager, t: TicketRecord, priority: TicketPriority, patch: TicketPatch, changes: Changes, segment = t.segment): Promise<TicketEventInput[]> {
    const targets = await this.sla.targets(policySegment(segment), priority, tx);
    const from: Record<string, string | null> = {};
    const to: Record<string, string | null> = {};
    if (!t.firstRespondedAt && !t.firstResponseBreachedAt) {
      const due = new Date(t.createdAt.getTime() + targets.firstResponseSeconds * 1000);
      if (due.getTime() !== t.firstResponseDueAt?.getTime()) {
        patch.first_response_due_at = due;
        from['firstResponseDueAt'] = t.firstResponseDueAt?.toISOString() ?? null;
        to['firstResponseDueAt'] = due.toISOString();
      }
    }
    if (!t.resolutionBreachedAt && t.status !== 'solved' && t.status !== 'closed') {
      const due = new Date(t.createdAt.getTime() + targets.resolutionSeconds * 1000);
      if (due.getTime() !== t.resolutionDueAt?.getTime()) {
        patch.resolution_due_at = due;
        from['resolutionDueAt'] = t.resolutionDueAt?.toISOString() ?? null;
        to['resolutionDueAt'] = due.toISOString();
      }
    }
    if (Object.keys(to).length === 0) return [];
    changes['sla'] = { from, to };
    return [{ type: 'sla_changed', field: 'sla', from, to, data: { segment: policySegment(segment), priority } }];
  }

  /** ticket.updated for any change, and ticket.solved when it was solved. */
  async announce(tx: EntityManager, before: TicketRecord, after: TicketRecord, changes: Changes, actor: TicketActor): Promise<void> {
    const payload = { ticket: toTicketSnapshot(after), changes, actor };
    await this.outbox.enqueue(tx, 'ticket.updated', payload);
    if (after.status === 'solved' && before.status !== 'solved') await this.outbox.enqueue(tx, 'ticket.solved', payload);
  }

  async get(ref: string): Promise<TicketRecord> {
    return this.tickets.find(ref);
  }

  /** Timers are rebuilt by the reconciler if Redis is unreachable now: log, do not fail the request. */
  async scheduleTimers(tickets: TicketRecord[]): Promise<void> {
    try {
      await this.timers.schedule(tickets);
    } catch (error) {
      this.logger.warn({ err: error, tickets: tickets.map((t) => t.id) }, 'could not schedule ticket timers now; the reconciler will');
    }
  }
}
