import type { Channel, Segment, SlaMetric, TicketPriority, TicketSnapshot, TicketStatus, TicketType } from '@careflow/contracts';
import type { TicketCarePolicy } from '../sla/priority-policy.js';
import type { TicketDto } from './dto/ticket.dto.js';

/** A ticket as the service works with it (one row of tickets.tickets plus its group key). */
export interface TicketRecord {
  id: string;
  number: number;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  priorityExplicit: boolean;
  type: TicketType;
  channel: Channel;
  segment: Segment | null;
  customerExternalId: string | null;
  customerEmail: string | null;
  customerName: string | null;
  customerLocale: string | null;
  /**
   * The care policy the customer projection holds for the ticket's customer now: what a
   * derived priority and the SLA targets follow (null when there is none; lists do not read it).
   */
  carePolicy: TicketCarePolicy | null;
  groupId: string | null;
  groupKey: string | null;
  groupAddress: string | null;
  assigneeId: string | null;
  tags: string[];
  orderExternalId: string | null;
  shipmentId: string | null;
  followUpOf: string | null;
  firstResponseDueAt: Date | null;
  firstRespondedAt: Date | null;
  nextResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  firstResponseBreachedAt: Date | null;
  nextResponseBreachedAt: Date | null;
  resolutionBreachedAt: Date | null;
  solvedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** created_at / updated_at at full precision, for keyset cursors. */
  createdCursor: string;
  updatedCursor: string;
  priorityRank: number;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function slaBreaches(t: TicketRecord): SlaMetric[] {
  const out: SlaMetric[] = [];
  if (t.firstResponseBreachedAt) out.push('first_response');
  if (t.nextResponseBreachedAt) out.push('next_response');
  if (t.resolutionBreachedAt) out.push('resolution');
  return out;
}

export function toTicketDto(t: TicketRecord): TicketDto {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    description: t.description,
    status: t.status,
    priority: t.priority,
    type: t.type,
    channel: t.channel,
    segment: t.segment,
    group: t.groupKey,
    assignee: t.assigneeId,
    tags: t.tags,
    customer: { externalId: t.customerExternalId, email: t.customerEmail, name: t.customerName },
    orderExternalId: t.orderExternalId,
    shipmentId: t.shipmentId,
    followUpOf: t.followUpOf,
    firstResponseDueAt: iso(t.firstResponseDueAt),
    firstRespondedAt: iso(t.firstRespondedAt),
    nextResponseDueAt: iso(t.nextResponseDueAt),
    resolutionDueAt: iso(t.resolutionDueAt),
    slaBreaches: slaBreaches(t),
    solvedAt: iso(t.solvedAt),
    closedAt: iso(t.closedAt),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** The ticket as events carry it to notifications and webhooks. */
export function toTicketSnapshot(t: TicketRecord): TicketSnapshot {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    type: t.type,
    channel: t.channel,
    segment: t.segment,
    group: t.groupKey,
    groupAddress: t.groupAddress,
    assignee: t.assigneeId,
    tags: t.tags,
    customer: { externalId: t.customerExternalId, email: t.customerEmail ?? '', name: t.customerName, locale: t.customerLocale },
    orderExternalId: t.orderExternalId,
    firstResponseDueAt: t.firstResponseDueAt,
    resolutionDueAt: t.resolutionDueAt,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
