import type { Channel, CustomerObservedPayload, Segment, TicketActor, TicketPriority, TicketStatus, TicketType } from '@careflow/contracts';
import { NotFoundError, RequestContext } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { storedCarePolicy } from '../sla/priority-policy.js';
import { ticketSearchVector } from './search-terms.js';
import type { TicketRecord } from './ticket.record.js';

/**
 * The SELECT list of a TicketRecord for lists (alias t for tickets, g for its group): what the
 * API shows. TICKET_COLUMNS adds what events carry beyond that (reply address, locale) and what
 * a change needs (the customer's care policy).
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
  (SELECT c.locale FROM tickets.customers c WHERE c.external_id = t.customer_external_id) AS customer_locale,
  (SELECT c.priority_bump FROM tickets.customers c WHERE c.external_id = t.customer_external_id) AS care_priority_bump,
  (SELECT c.sla_policy FROM tickets.customers c WHERE c.external_id = t.customer_external_id) AS care_sla_policy`;

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
    carePolicy: storedCarePolicy((r['care_priority_bump'] as number | null) ?? null, (r['care_sla_policy'] as Segment | null) ?? null),
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A ticket number in its one canonical form: no sign, no leading zeros (`01000` is not ticket 1000). */
const NUMBER = /^[1-9][0-9]{0,14}$/;

/** A ticket to insert with what announces it (see `insertAnnounced`). */
export interface NewTicket {
  ticket: TicketRecord;
  created: CreatedEvent;
  payload: object;
  observed: CustomerObservedPayload | null;
  /** The request the ticket belongs to, when not the current one. */
  requestId?: string | null;
}

export interface CreatedEvent {
  actor: TicketActor;
  data: Record<string, unknown>;
  sourceInboundEmailId: string | null;
}

/** Column updates a service decided on; only the listed columns are written. */
export type TicketPatch = Partial<Record<
  | 'status' | 'priority' | 'priority_explicit' | 'type' | 'segment' | 'group_id' | 'assignee_id' | 'tags'
  | 'first_response_due_at' | 'first_responded_at' | 'next_response_due_at' | 'resolution_due_at'
  | 'first_response_breached_at' | 'next_response_breached_at' | 'resolution_breached_at' | 'solved_at' | 'closed_at',
  unknown
>>;

/** Marks a patch value to be computed by Postgres (`now()`), not sent as a parameter. */
export const NOW = Symbol('now');

/** A patch value computed by Postgres: `now()` plus so many seconds (one clock for every due time). */
export interface AfterNow {
  afterNowSeconds: number;
}

export function afterNow(seconds: number): AfterNow {
  return { afterNowSeconds: seconds };
}

function isAfterNow(value: unknown): value is AfterNow {
  return typeof value === 'object' && value !== null && 'afterNowSeconds' in value;
}

@Injectable()
export class TicketsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `ref` is a ticket UUID or its number; anything else is simply not found. */
  async find(ref: string, tx: EntityManager = this.db.manager, lock = false): Promise<TicketRecord> {
    const column = UUID.test(ref) ? 't.id = $1::uuid' : NUMBER.test(ref) ? 't.number = $1::bigint' : null;
    if (!column) throw new NotFoundError('ticket', ref);
    const rows: TicketRow[] = await tx.query(
      `SELECT ${TICKET_COLUMNS} FROM ${TICKET_FROM} WHERE ${column}${lock ? ' FOR UPDATE OF t' : ''}`,
      [ref],
    );
    if (!rows[0]) throw new NotFoundError('ticket', ref);
    return toTicketRecord(rows[0]);
  }

  /**
   * Inserts tickets, their `created` audit events and their `ticket.created` outbox events in ONE
   * statement: atomic without BEGIN/COMMIT, and one round trip however many tickets (a batch of
   * inbound mail opens many). Under load a ticket's cost is mostly the number of round trips to
   * Postgres, so the hot path makes two (customer lookup, this). The caller builds each record
   * and event payload; Postgres adds only the numbers, in the order given. `observed`, when a
   * ticket tells segmentation about its customer, is a second outbox row of the same INSERT.
   * Each ticket's events carry its own request id (default: the current request's). Its search
   * vector is built here (`searchVector`), not by Postgres.
   */
  async insertAnnounced(tx: EntityManager, items: readonly NewTicket[]): Promise<TicketRecord[]> {
    const rows: Array<{ id: string; number: string }> = await tx.query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::text[], $7::text[], $8::text[],
           $9::text[], $10::text[], $11::text[], $12::uuid[], $13::text[], $14::jsonb[], $15::text[], $16::uuid[], $17::uuid[],
           $18::uuid[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[], $22::text[], $23::text[], $24::jsonb[],
           $25::jsonb[], $26::text[], $27::jsonb[], $28::tsvector[])
           WITH ORDINALITY AS v(id, subject, description, priority, priority_explicit, type, channel, segment,
             customer_external_id, customer_email, customer_name, group_id, assignee_id, tags, order_external_id,
             shipment_id, follow_up_of, source_inbound_email_id, first_response_due_at, resolution_due_at, created_at,
             actor_type, actor_id, created_data, payload, request_id, observed, search, n)
       ), t AS (
         INSERT INTO tickets.tickets (id, subject, description, priority, priority_explicit, type, channel, segment,
           customer_external_id, customer_email, customer_name, group_id, assignee_id, tags, order_external_id,
           shipment_id, follow_up_of, source_inbound_email_id, first_response_due_at, resolution_due_at, created_at, updated_at, search)
         SELECT id, subject, description, priority, priority_explicit, type, channel, segment,
           customer_external_id, customer_email, customer_name, group_id, assignee_id, ARRAY(SELECT jsonb_array_elements_text(tags)),
           order_external_id, shipment_id, follow_up_of, source_inbound_email_id, first_response_due_at, resolution_due_at,
           created_at, created_at, search
           FROM v ORDER BY n
         RETURNING id, number
       ), e AS (
         INSERT INTO tickets.ticket_events (ticket_id, type, actor_type, actor_id, data, created_at)
         SELECT t.id, 'created', v.actor_type, v.actor_id, v.created_data, v.created_at FROM t JOIN v USING (id) ORDER BY v.n
       ), o AS (
         INSERT INTO tickets.outbox (event, payload, request_id)
         SELECT ev.event, ev.payload, v.request_id FROM t JOIN v USING (id) CROSS JOIN LATERAL (VALUES
             (1, 'ticket.created', jsonb_set(v.payload, '{ticket,number}', to_jsonb(t.number))),
             (2, 'customer.observed', v.observed)) AS ev(k, event, payload)
          WHERE ev.payload IS NOT NULL ORDER BY v.n, ev.k
       )
       SELECT id, number FROM t`,
      [
        items.map((i) => i.ticket.id),
        items.map((i) => i.ticket.subject),
        items.map((i) => i.ticket.description),
        items.map((i) => i.ticket.priority),
        items.map((i) => i.ticket.priorityExplicit),
        items.map((i) => i.ticket.type),
        items.map((i) => i.ticket.channel),
        items.map((i) => i.ticket.segment),
        items.map((i) => i.ticket.customerExternalId),
        items.map((i) => i.ticket.customerEmail),
        items.map((i) => i.ticket.customerName),
        items.map((i) => i.ticket.groupId),
        items.map((i) => i.ticket.assigneeId),
        items.map((i) => JSON.stringify(i.ticket.tags)),
        items.map((i) => i.ticket.orderExternalId),
        items.map((i) => i.ticket.shipmentId),
        items.map((i) => i.ticket.followUpOf),
        items.map((i) => i.created.sourceInboundEmailId),
        items.map((i) => i.ticket.firstResponseDueAt),
        items.map((i) => i.ticket.resolutionDueAt),
        items.map((i) => i.ticket.createdAt),
        items.map((i) => i.created.actor.type),
        items.map((i) => i.created.actor.id),
        items.map((i) => JSON.stringify(i.created.data)),
        items.map((i) => JSON.stringify(i.payload)),
        items.map((i) => (i.requestId === undefined ? (RequestContext.requestId() ?? null) : i.requestId)),
        items.map((i) => (i.observed ? JSON.stringify(i.observed) : null)),
        items.map((i) => ticketSearchVector(i.ticket.subject, i.ticket.description)),
      ],
    );
    const numbers = new Map(rows.map((r) => [r.id, Number(r.number)]));
    return items.map((i) => ({ ...i.ticket, number: numbers.get(i.ticket.id)! }));
  }

  async update(tx: EntityManager, id: string, patch: TicketPatch): Promise<TicketRecord> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [column, value] of Object.entries(patch)) {
      if (value === NOW) sets.push(`${column} = now()`);
      else if (isAfterNow(value)) {
        values.push(value.afterNowSeconds);
        sets.push(`${column} = now() + make_interval(secs => $${values.length})`);
      } else {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      }
    }
    sets.push('updated_at = now()');
    const rows: TicketRow[] = await tx.query(
      `WITH t AS (UPDATE tickets.tickets SET ${sets.join(', ')} WHERE id = $1 RETURNING *)
       SELECT ${TICKET_COLUMNS} FROM t LEFT JOIN tickets.groups g ON g.id = t.group_id`,
      values,
    );
    if (!rows[0]) throw new Error(`ticket ${id} vanished during update`);
    return toTicketRecord(rows[0]);
  }

  async findOpenByShipment(tx: EntityManager, shipmentId: string): Promise<TicketRecord | null> {
    const rows: TicketRow[] = await tx.query(
      `SELECT ${TICKET_COLUMNS} FROM ${TICKET_FROM} WHERE t.shipment_id = $1 AND t.status <> 'closed' FOR UPDATE OF t`,
      [shipmentId],
    );
    return rows[0] ? toTicketRecord(rows[0]) : null;
  }

  /** Tickets of a customer whose clocks still run, locked for re-evaluation. */
  async lockRunningForCustomer(tx: EntityManager, externalId: string): Promise<TicketRecord[]> {
    const rows: TicketRow[] = await tx.query(
      `SELECT ${TICKET_COLUMNS} FROM ${TICKET_FROM}
        WHERE t.customer_external_id = $1 AND t.status NOT IN ('solved', 'closed') ORDER BY t.created_at FOR UPDATE OF t`,
      [externalId],
    );
    return rows.map(toTicketRecord);
  }

  /**
   * Tickets with a timer due before `until`: an SLA clock (with `leadSeconds` for the
   * warning) or an auto-close. Index-backed, so the look-ahead costs what is due, not the
   * number of open tickets. A batch in id order after `afterId`.
   */
  async dueBefore(until: Date, leadSeconds: number, autoCloseSeconds: number, afterId: string | null, limit: number): Promise<TicketRecord[]> {
    const rows: TicketRow[] = await this.db.query(
      `SELECT ${TICKET_COLUMNS} FROM ${TICKET_FROM}
        WHERE t.id IN (
          SELECT id FROM tickets.tickets WHERE next_due_at < $1::timestamptz + make_interval(secs => $2)
          UNION SELECT id FROM tickets.tickets WHERE status = 'solved' AND solved_at < $1::timestamptz - make_interval(secs => $3))
          AND ($4::uuid IS NULL OR t.id > $4::uuid)
        ORDER BY t.id LIMIT $5`,
      [until, leadSeconds, autoCloseSeconds, afterId, limit],
    );
    return rows.map(toTicketRecord);
  }
}
