import type { Channel, Segment, SlaMetric, TicketPriority, TicketSnapshot, TicketStatus, TicketType } from '@careflow/contracts';
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

/**
 * The SELECT list of a TicketRecord for lists (alias t for tickets, g for its group): what the
 * API shows. TICKET_COLUMNS adds what events carry beyond that (reply address, locale).
 */
export const TICKET_LIST_COLUMNS = `
  t.id, t.number, t.subject, t.description, t.status, t.priority, t.priority_explicit, t.priority_rank, t.type, t.channel,
  t.segment, t.customer_external_id, t.customer_email, t.customer_name, t.group_id, t.assignee_id, t.tags,
  t.order_external_id, t.shipment_id, t.follow_up_of, t.first_response_due_at, t.first_responded_at,
  t.next_response_due_at, t.resolution_due_at, t.first_response_breached_at, t.next_response_breached_at,
  t.resolution_breached_at, t.solved_at, t.closed_at, t.created_at, t.updated_at,
  t.created_at::text AS created_cursor, t.updated_at::text AS updated_cursor,
  g.key AS group_key`;

/** A full TicketRecord, as event snapshots need it. */
export const TICKET_COLUMNS = `${TICKET_LIST_COLUMNS},
  (SELECT min(a.address) FROM tickets.group_addresses a WHERE a.group_id = t.group_id) AS group_address,
  (SELECT c.locale FROM tickets.customers c WHERE c.external_id = t.customer_external_id) AS customer_locale`;

export const TICKET_FROM = `tickets.tickets t LEFT JOIN tickets.groups g ON g.id = t.group_id`;

export type TicketRow = Record<string, unknown>;

export function toTicketRecord(r: TicketRow): TicketRecord {
  return {
    id: r['id'] as string,
    number: Number(r['number']),
    subject: r['subject'] as string,
    description: r['description'] as string,
    status: r['status'] as TicketStatus,
    priority: r['priority'] as TicketPriority,
    priorityExplicit: r['priority_explicit'] as boolean,
    priorityRank: Number(r['priority_rank']),
    type: r['type'] as TicketType,
    channel: r['channel'] as Channel,
    segment: r['segment'] as Segment | null,
    customerExternalId: r['customer_external_id'] as string | null,
    customerEmail: r['customer_email'] as string | null,
    customerName: r['customer_name'] as string | null,
    customerLocale: (r['customer_locale'] as string | null) ?? null,
    groupId: r['group_id'] as string | null,
    groupKey: (r['group_key'] as string | null) ?? null,
    groupAddress: (r['group_address'] as string | null) ?? null,
    assigneeId: r['assignee_id'] as string | null,
    tags: r['tags'] as string[],
    orderExternalId: r['order_external_id'] as string | null,
    shipmentId: r['shipment_id'] as string | null,
    followUpOf: r['follow_up_of'] as string | null,
    firstResponseDueAt: r['first_response_due_at'] as Date | null,
    firstRespondedAt: r['first_responded_at'] as Date | null,
    nextResponseDueAt: r['next_response_due_at'] as Date | null,
    resolutionDueAt: r['resolution_due_at'] as Date | null,
    firstResponseBreachedAt: r['first_response_breached_at'] as Date | null,
    nextResponseBreachedAt: r['next_response_breached_at'] as Date | null,
    resolutionBreachedAt: r['resolution_breached_at'] as Date | null,
    solvedAt: r['solved_at'] as Date | null,
    closedAt: r['closed_at'] as Date | null,
    createdAt: r['created_at'] as Date,
    updatedAt: r['updated_at'] as Date,
    createdCursor: r['created_cursor'] as string,
    updatedCursor: r['updated_cursor'] as string,
  };
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
