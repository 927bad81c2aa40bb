import type { TicketActor, TicketCommentSnapshot } from '@careflow/contracts';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { UnprocessableError } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import { policySegment } from '../sla/priority-policy.js';
import { SlaPoliciesService } from '../sla/sla-policies.service.js';
import { statusAfterCustomerReply } from '../tickets/status-machine.js';
import { TicketChanges, type TicketChange } from '../tickets/ticket-changes.js';
import { TicketTimers } from '../tickets/ticket-timers.js';
import { TicketClosedError } from '../tickets/tickets.exceptions.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { toTicketSnapshot, type TicketRecord } from '../tickets/ticket.record.js';
import type { CommentRecord, NewComment } from './comment.record.js';
import { CommentsRepository } from './comments.repository.js';
import type { CommentDto } from './dto/comment.dto.js';

export function toCommentDto(c: CommentRecord): CommentDto {
  return { id: c.id, ticketId: c.ticketId, body: c.body, public: c.public, author: c.author, attachments: c.attachments, createdAt: c.createdAt.toISOString() };
}

function toSnapshot(c: CommentRecord): TicketCommentSnapshot {
  return { ...toCommentDto(c), createdAt: c.createdAt };
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
    private readonly comments: CommentsRepository,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly timers: TicketTimers,
    private readonly agents: AgentsService,
    private readonly sla: SlaPoliciesService,
  ) {}

  async add(ref: string, comment: NewComment, actor: TicketActor): Promise<CommentDto> {
    if (comment.author.type === 'customer' && !comment.public) {
      throw new UnprocessableError('public', 'a customer cannot write an internal note');
    }
    if (comment.author.type === 'agent' && comment.author.id) {
      // An agent's comment shows the agent as registered, unless the request names them otherwise.
      const agent = await this.agents.requireActive(comment.author.id, 'author.id');
      comment = { ...comment, author: { ...comment.author, name: comment.author.name ?? agent.name, email: comment.author.email ?? agent.email } };
    }
    const { comment: added, ticket } = await this.db.transaction(async (tx) => {
      const t = await this.tickets.find(ref, tx, true);
      return this.addTo(tx, t, comment, actor);
    });
    await this.timers.afterWrite([ticket]);
    return toCommentDto(added);
  }

  /** Adds a comment to a locked ticket inside `tx` (API, inbound e-mail and shipment incidents share this). */
  async addTo(tx: EntityManager, t: TicketRecord, comment: NewComment, actor: TicketActor): Promise<{ comment: CommentRecord; ticket: TicketRecord }> {
    let ticket = t;
    if (t.status === 'closed') {
      if (comment.author.type !== 'customer') throw new TicketClosedError(t.number);
      ticket = await this.changes.open(
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
          inboundMail: comment.inboundMail ?? null,
        },
        actor,
      );
      await this.changes.applyChange(tx, t, {}, actor, { notes: [{ type: 'follow_up_created', data: { followUpId: ticket.id, followUpNumber: ticket.number } }] });
    }

    const added = await this.comments.insert(tx, ticket.id, {
      ...comment,
      author: {
        ...comment.author,
        email: comment.author.email ?? (comment.author.type === 'customer' ? ticket.customerEmail : null),
        name: comment.author.name ?? (comment.author.type === 'customer' ? ticket.customerName : null),
      },
      // A follow-up records the e-mail as its own source; the comment on it does not repeat it.
      sourceInboundEmailId: ticket.id === t.id ? (comment.sourceInboundEmailId ?? null) : null,
    });

    const change: TicketChange = {};
    if (comment.public && comment.author.type === 'agent') {
      change.agentReplied = true;
      if (ticket.status === 'new') change.status = 'open';
    } else if (comment.public && comment.author.type === 'customer' && ticket.id === t.id) {
      change.status = statusAfterCustomerReply(ticket.status);
      if (ticket.firstRespondedAt && !ticket.nextResponseDueAt) {
        change.nextResponseDueInSeconds = (await this.sla.targets(policySegment(ticket.segment, ticket.carePolicy), ticket.priority, tx)).nextResponseSeconds;
      }
    }
    const { ticket: after } = await this.changes.applyChange(tx, ticket, change, actor, {
      notes: [{ type: 'comment_added', data: { commentId: added.id, public: added.public, authorType: added.author.type } }],
      touch: true,
      announce: (updated) => [{ event: 'ticket.comment_added', payload: { ticket: toTicketSnapshot(updated), comment: toSnapshot(added) } }],
    });
    return { comment: added, ticket: after };
  }

  async list(ref: string, limit: number, cursor?: string): Promise<Page<CommentDto>> {
    const t = await this.tickets.find(ref);
    const [createdCursor, id] = cursor ? (decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string]) : [null, null];
    const comments = await this.comments.listAfter(t.id, createdCursor !== null ? { createdCursor, id: id! } : null, limit);
    return toPage(comments, limit, (c) => [c.createdCursor, c.id], toCommentDto);
  }

  /** Whether an inbound e-mail already became a comment (a redelivered message creates nothing twice). */
  async existsFromInboundEmail(tx: EntityManager, inboundEmailId: string): Promise<boolean> {
    return this.comments.existsFromInboundEmail(tx, inboundEmailId);
  }
}
