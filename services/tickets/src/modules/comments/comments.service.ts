import { UnprocessableError } from '@careflow/platform';
import type { AttachmentRef, CommentAuthor, TicketActor, TicketCommentSnapshot } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import { TicketEventsService, type TicketEventInput } from '../events/ticket-events.service.js';
import { policySegment } from '../sla/priority-policy.js';
import { SlaPoliciesService } from '../sla/sla-policies.service.js';
import { statusAfterCustomerReply } from '../tickets/status-machine.js';
import { TicketClosedError } from '../tickets/tickets.exceptions.js';
import { NOW, TicketsRepository, type TicketPatch } from '../tickets/tickets.repository.js';
import { TicketsService, type Changes } from '../tickets/tickets.service.js';
import { toTicketSnapshot, type TicketRecord } from '../tickets/ticket.record.js';
import type { CommentDto } from './dto/comment.dto.js';

export interface NewComment {
  body: string;
  html?: string | null;
  public: boolean;
  author: CommentAuthor;
  attachments: AttachmentRef[];
  sourceInboundEmailId?: string | null;
}

interface CommentRow {
  id: string;
  ticket_id: string;
  body: string;
  public: boolean;
  author_type: CommentAuthor['type'];
  author_id: string | null;
  author_email: string | null;
  author_name: string | null;
  attachments: AttachmentRef[];
  created_at: Date;
  cursor_at: string;
}

export function toCommentDto(r: CommentRow): CommentDto {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    body: r.body,
    public: r.public,
    author: { type: r.author_type, id: r.author_id, email: r.author_email, name: r.author_name },
    attachments: r.attachments,
    createdAt: r.created_at.toISOString(),
  };
}

function toSnapshot(r: CommentRow): TicketCommentSnapshot {
  return { ...toCommentDto(r), createdAt: r.created_at };
}

/**
 * Comments and what they do to a ticket: a public agent reply answers the customer (first
 * response, next response) and opens a new ticket; a customer reply reopens a solved,
 * pending or on-hold ticket and starts the next-response clock; on a closed ticket it opens a
 * follow-up ticket instead.
 */
@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tickets: TicketsRepository,
    private readonly ticketsService: TicketsService,
    private readonly events: TicketEventsService,
    private readonly agents: AgentsService,
    private readonly sla: SlaPoliciesService,
    private readonly outbox: Outbox,
  ) {}

  async add(ref: string, comment: NewComment, actor: TicketActor): Promise<CommentDto> {
    if (comment.author.type === 'customer' && !comment.public) {
      throw new UnprocessableError('public', 'a customer cannot write an internal note');
    }
    if (comment.author.type === 'agent' && comment.author.id) await this.agents.requireActive(comment.author.id, 'author.id');
    const { row, ticket } = await this.db.transaction(async (tx) => {
      const t = await this.tickets.find(ref, tx, true);
      return this.addTo(tx, t, comment, actor);
    });
    await this.ticketsService.scheduleTimers([ticket]);
    return toCommentDto(row);
  }

  /** Adds a comment to a locked ticket inside `tx` (API and inbound e-mail share this). */
  async addTo(tx: EntityManager, t: TicketRecord, comment: NewComment, actor: TicketActor): Promise<{ row: CommentRow; ticket: TicketRecord }> {
    let ticket = t;
    if (t.status === 'closed') {
      if (comment.author.type !== 'customer') throw new TicketClosedError(t.number);
      ticket = await this.ticketsService.open(
        tx,
        {
          subject: t.subject,
          description: comment.body,
          customer: { externalId: t.customerExternalId, email: t.customerEmail, name: t.customerName },
          channel: t.channel,
          type: t.type,
          tags: t.tags,
          orderExternalId: t.orderExternalId,
          group: t.groupKey ? { key: t.groupKey } : null,
          followUpOf: t.id,
          sourceInboundEmailId: comment.sourceInboundEmailId ?? null,
        },
        actor,
      );
      await this.events.record(tx, t.id, actor, [{ type: 'follow_up_created', data: { followUpId: ticket.id, followUpNumber: ticket.number } }]);
    }

    const rows: CommentRow[] = await tx.query(
      `INSERT INTO tickets.comments (ticket_id, body, html, public, author_type, author_id, author_email, author_name, attachments, source_inbound_email_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
       RETURNING id, ticket_id, body, public, author_type, author_id, author_email, author_name, attachments, created_at, created_at::text AS cursor_at`,
      [
        ticket.id, comment.body, comment.html ?? null, comment.public, comment.author.type, comment.author.id ?? null,
        comment.author.email ?? (comment.author.type === 'customer' ? ticket.customerEmail : null),
        comment.author.name ?? (comment.author.type === 'customer' ? ticket.customerName : null),
        JSON.stringify(comment.attachments), ticket.id === t.id ? (comment.sourceInboundEmailId ?? null) : null,
      ],
    );
    const row = rows[0]!;

    const patch: TicketPatch = {};
    const events: TicketEventInput[] = [{ type: 'comment_added', data: { commentId: row.id, public: row.public, authorType: row.author_type } }];
    const changes: Changes = {};
    const setStatus = (to: TicketRecord['status']) => {
      if (to === ticket.status) return;
      Object.assign(patch, this.ticketsService.statusPatch(ticket, to));
      events.push({ type: 'status_changed', field: 'status', from: ticket.status, to });
      changes['status'] = { from: ticket.status, to };
    };
    if (comment.public && comment.author.type === 'agent') {
      if (!ticket.firstRespondedAt) patch.first_responded_at = NOW;
      if (ticket.nextResponseDueAt) patch.next_response_due_at = null;
      if (ticket.status === 'new') setStatus('open');
    } else if (comment.public && comment.author.type === 'customer' && ticket.id === t.id) {
      setStatus(statusAfterCustomerReply(ticket.status));
      if (ticket.firstRespondedAt && !ticket.nextResponseDueAt) {
        const targets = await this.sla.targets(policySegment(ticket.segment), ticket.priority, tx);
        const due: Array<{ due: Date }> = await tx.query(`SELECT now() + make_interval(secs => $1) AS due`, [targets.nextResponseSeconds]);
        patch.next_response_due_at = due[0]!.due;
        patch.next_response_breached_at = null;
      }
    }
    const before = ticket;
    ticket = await this.tickets.update(tx, ticket.id, patch);
    await this.events.record(tx, ticket.id, actor, events);
    if (Object.keys(changes).length > 0) await this.ticketsService.announce(tx, before, ticket, changes, actor);
    await this.outbox.enqueue(tx, 'ticket.comment_added', { ticket: toTicketSnapshot(ticket), comment: toSnapshot(row) });
    return { row, ticket };
  }

  async list(ref: string, limit: number, cursor?: string): Promise<Page<CommentDto>> {
    const t = await this.tickets.find(ref);
    const [after, afterId] = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : [null, null];
    const rows: CommentRow[] = await this.db.query(
      `SELECT id, ticket_id, body, public, author_type, author_id, author_email, author_name, attachments, created_at, created_at::text AS cursor_at
         FROM tickets.comments
        WHERE ticket_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [t.id, after, afterId, limit + 1],
    );
    return toPage(rows, limit, (r) => [r.cursor_at, r.id], toCommentDto);
  }
}
