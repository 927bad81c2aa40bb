import type { Channel, InboundMailContext, JobName, JobPayload, Segment, SlaMetric, TicketActor, TicketPriority, TicketStatus, TicketType } from '@careflow/contracts';
import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditTrailEntry } from '../audit-trail/audit-trail-entry.record.js';
import { AuditTrailRepository } from '../audit-trail/audit-trail.repository.js';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { GroupsService } from '../groups/groups.service.js';
import { derivePriority, policySegment, type TicketCarePolicy } from '../sla/priority-policy.js';
import { SlaPoliciesService } from '../sla/sla-policies.service.js';
import { customerObservation } from './customer-observation.js';
import { canTransition } from './status-machine.js';
import { InvalidTransitionError } from './tickets.exceptions.js';
import { afterNow, NOW, TicketsRepository, type NewTicket, type TicketPatch } from './tickets.repository.js';
import { toTicketSnapshot, type TicketRecord } from './ticket.record.js';

/** What changed, field by field, as `ticket.updated` announces it. */
export type Changes = Record<string, { from: unknown; to: unknown }>;

const PRIORITY_RANK: Record<TicketPriority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

/** A new ticket, from whichever channel or feature opens it. */
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
  /** The e-mail the ticket is opened from: `ticket.created` carries it, so the acknowledgement threads under it (or is skipped). */
  inboundMail?: InboundMailContext | null;
}

/** A change to a ticket in domain terms; what is left out stays as it is. */
export interface TicketChange {
  status?: TicketStatus;
  /** A priority someone chose: it stays when the segment changes. */
  priority?: TicketPriority;
  type?: TicketType;
  /** The customer's segment: a derived priority is derived again, due times follow the policy. */
  segment?: Segment | null;
  /**
   * The customer's care policy changed (it comes with a segment change): a derived priority is
   * derived again and the due times follow it, even when the segment stayed.
   */
  carePolicy?: TicketCarePolicy | null;
  /** An active agent's id (checked by the caller), or null to unassign. */
  assigneeId?: string | null;
  /** The group (resolved by the caller), or null for none. */
  group?: { id: string; key: string } | null;
  tags?: string[];
  /** A public agent reply: the first response is given and the next-response clock stops. */
  agentReplied?: boolean;
  /** A customer reply after the first response: the next-response clock starts, due this many seconds from now. */
  nextResponseDueInSeconds?: number;
  /** An SLA clock ran out now. */
  breached?: SlaMetric;
}

/** An outbox event a change announces besides ticket.updated / ticket.solved, built from the ticket after it. */
export interface Announcement<N extends JobName = JobName> {
  event: N;
  payload: JobPayload<N>;
}

export interface ChangeOptions {
  /** Entries that record what happened rather than a field change (comment added, SLA warning, …). */
  notes?: AuditTrailEntry[];
  /** Why the status changed, when the system changed it (`auto_close`). */
  reason?: string;
  /** Write the row even when no field changed (a comment bumps `updatedAt`). */
  touch?: boolean;
  announce?: (after: TicketRecord) => Announcement[];
}

/**
 * The one write path of a ticket. `open` creates one; `applyChange` changes one: it works out
 * the column patch (status rules, derived priority, SLA due times), writes the row, its audit
 * trail entries and the outbox events announcing it, in the caller's transaction. Every caller
 * (the API, comments, timers, shipment incidents, inbound mail, segment changes) goes through
 * here, so none can announce a change without its audit entry, or the reverse.
 */
@Injectable()
export class TicketChanges {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly auditTrail: AuditTrailRepository,
    private readonly customers: CustomerProjectionRepository,
    private readonly groups: GroupsService,
    private readonly sla: SlaPoliciesService,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Opens a ticket: priority (derived from the type and the customer's segment and care policy
   * unless given) and SLA due times decided here, the row, its `created` entry, `ticket.created`
   * and, when the ticket tells segmentation something new about its customer,
   * `customer.observed` written by one statement. `known` is the customer when the caller
   * looked them up already.
   */
  async open(tx: EntityManager, d: TicketDraft, actor: TicketActor, known?: CustomerProjectionRecord | null): Promise<TicketRecord> {
    const [ticket] = await this.openMany(tx, [{ draft: d, actor, known }]);
    return ticket!;
  }

  /** `open` for many tickets (a batch of inbound mail), written by one statement; each ticket's events in the context of `requestId` when given. */
  async openMany(
    tx: EntityManager,
    items: ReadonlyArray<{ draft: TicketDraft; actor: TicketActor; known?: CustomerProjectionRecord | null; requestId?: string | null }>,
  ): Promise<TicketRecord[]> {
    const drafted: NewTicket[] = [];
    for (const item of items) drafted.push({ ...(await this.draft(tx, item.draft, item.actor, item.known)), requestId: item.requestId });
    return this.tickets.insertAnnounced(tx, drafted);
  }

  /** The row and events of a new ticket, decided in memory (see `open`). */
  private async draft(tx: EntityManager, d: TicketDraft, actor: TicketActor, known?: CustomerProjectionRecord | null): Promise<NewTicket> {
    if (known === undefined) known = await this.customers.find(tx, d.customer.externalId, d.customer.email);
    const type = d.type ?? 'question';
    const segment = known?.segment ?? null;
    const carePolicy = known?.carePolicy ?? null;
    const priority = d.priority ?? derivePriority(type, segment, carePolicy);
    const targets = await this.sla.targets(policySegment(segment, carePolicy), priority, tx);
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
      carePolicy,
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
    return {
      ticket: record,
      created: { actor, data: { channel: d.channel, priority, segment, type, followUpOf: d.followUpOf ?? null }, sourceInboundEmailId: d.sourceInboundEmailId ?? null },
      payload: { ticket: toTicketSnapshot(record), changes: {}, actor, ...(d.inboundMail ? { inboundMail: d.inboundMail } : {}) },
      observed: customerObservation(d.customer, known, now),
    };
  }

  /**
   * Applies a change to `t` (locked by the caller in `tx`). Returns the ticket after it, and
   * whether anything was written: a change that changes nothing writes nothing.
   */
  async applyChange(tx: EntityManager, t: TicketRecord, change: TicketChange, actor: TicketActor, options: ChangeOptions = {}): Promise<{ ticket: TicketRecord; changed: boolean }> {
    const patch: TicketPatch = {};
    const entries: AuditTrailEntry[] = [];
    const changes: Changes = {};
    const record = (field: string, type: AuditTrailEntry['type'], from: unknown, to: unknown, data?: Record<string, unknown>) => {
      entries.push({ type, field, from, to, ...(data ? { data } : {}) });
      changes[field] = { from, to };
    };

    if (change.status !== undefined && change.status !== t.status) {
      Object.assign(patch, statusPatch(t, change.status));
      record('status', 'status_changed', t.status, change.status, options.reason ? { reason: options.reason } : undefined);
    }
    const type = change.type ?? t.type;
    if (type !== t.type) {
      patch.type = type;
      record('type', 'type_changed', t.type, type);
    }
    const segment = change.segment !== undefined ? change.segment : t.segment;
    if (segment !== t.segment) {
      patch.segment = segment;
      record('segment', 'segment_changed', t.segment, segment);
    }
    // The care policy lives on the customer projection, not on the ticket: nothing to patch.
    const policyChanged = change.carePolicy !== undefined;
    const carePolicy = change.carePolicy !== undefined ? change.carePolicy : t.carePolicy;
    let priority = t.priority;
    let reason: string | undefined;
    if (change.priority !== undefined && change.priority !== t.priority) {
      priority = change.priority;
      patch.priority_explicit = true;
    } else if (change.priority === undefined && !t.priorityExplicit && (type !== t.type || segment !== t.segment || policyChanged)) {
      priority = derivePriority(type, segment, carePolicy);
      if (segment !== t.segment) reason = 'segment_changed';
      else if (policyChanged && type === t.type) reason = 'care_policy_changed';
    }
    if (priority !== t.priority) {
      patch.priority = priority;
      record('priority', 'priority_changed', t.priority, priority, reason ? { reason } : undefined);
    }
    if (priority !== t.priority || segment !== t.segment || policyChanged) {
      entries.push(...(await this.retarget(tx, t, priority, segment, carePolicy, patch, changes)));
    }
    if (change.assigneeId !== undefined && change.assigneeId !== t.assigneeId) {
      patch.assignee_id = change.assigneeId;
      record('assignee', 'assignee_changed', t.assigneeId, change.assigneeId);
    }
    if (change.group !== undefined && (change.group?.key ?? null) !== t.groupKey) {
      patch.group_id = change.group?.id ?? null;
      record('group', 'group_changed', t.groupKey, change.group?.key ?? null);
    }
    if (change.tags !== undefined) {
      const tags = [...new Set(change.tags)];
      if (tags.length !== t.tags.length || tags.some((tag) => !t.tags.includes(tag))) {
        patch.tags = tags;
        record('tags', 'tags_changed', t.tags, tags);
      }
    }
    if (change.agentReplied) {
      if (!t.firstRespondedAt) patch.first_responded_at = NOW;
      if (t.nextResponseDueAt) patch.next_response_due_at = null;
    }
    if (change.nextResponseDueInSeconds !== undefined) {
      patch.next_response_due_at = afterNow(change.nextResponseDueInSeconds);
      patch.next_response_breached_at = null;
    }
    if (change.breached) patch[`${change.breached}_breached_at`] = NOW;

    // What happened comes before what it changed: "comment added", then "status changed".
    const trail = [...(options.notes ?? []), ...entries];
    const write = Object.keys(patch).length > 0 || options.touch === true;
    if (!write && trail.length === 0) return { ticket: t, changed: false };
    const after = write ? await this.tickets.update(tx, t.id, patch) : t;
    await this.auditTrail.record(tx, t.id, actor, trail);
    if (Object.keys(changes).length > 0) {
      const payload = { ticket: toTicketSnapshot(after), changes, actor };
      await this.outbox.enqueue(tx, 'ticket.updated', payload);
      if (after.status === 'solved' && t.status !== 'solved') await this.outbox.enqueue(tx, 'ticket.solved', payload);
    }
    for (const { event, payload } of options.announce?.(after) ?? []) await this.outbox.enqueue(tx, event, payload);
    return { ticket: after, changed: true };
  }

  /**
   * New SLA due times for a new priority, segment or care policy, counted from the ticket's
   * creation, for the clocks still running. Returns the audit entry when a due time moved.
   */
  private async retarget(
    tx: EntityManager,
    t: TicketRecord,
    priority: TicketPriority,
    segment: Segment | null,
    carePolicy: TicketCarePolicy | null,
    patch: TicketPatch,
    changes: Changes,
  ): Promise<AuditTrailEntry[]> {
    const targets = await this.sla.targets(policySegment(segment, carePolicy), priority, tx);
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
    return [{ type: 'sla_changed', field: 'sla', from, to, data: { segment: policySegment(segment, carePolicy), priority } }];
  }
}

/** Column changes of a status change (the transition must be allowed). */
function statusPatch(t: TicketRecord, to: TicketStatus): TicketPatch {
  if (!canTransition(t.status, to)) throw new InvalidTransitionError(t.status, to);
  const patch: TicketPatch = { status: to };
  if (to === 'solved') patch.solved_at = NOW;
  // A reopen forgets the solve; closing keeps it (when it was solved is worth knowing).
  if (t.status === 'solved' && to === 'open') patch.solved_at = null;
  if (to === 'closed') patch.closed_at = NOW;
  return patch;
}
