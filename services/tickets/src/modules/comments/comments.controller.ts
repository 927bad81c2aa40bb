import type { TicketActor } from '@careflow/contracts';
import { ApiOperationDoc, PageQuery, RequireScopes, type Page } from '@careflow/http';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AgentsService } from '../agents/agents.service.js';
import { AUDIT_TRAIL_ENTRY_EXAMPLE, AuditTrailPageDto, type AuditTrailEntryDto } from '../audit-trail/audit-trail-entry.dto.js';
import { AuditTrailService } from '../audit-trail/audit-trail.service.js';
import { Actor } from '../tickets/actor.decorator.js';
import { TicketRefParam } from '../tickets/tickets.controller.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { CommentsService } from './comments.service.js';
import { COMMENT_EXAMPLE, CommentDto, CommentPageDto } from './dto/comment.dto.js';
import { CreateCommentDto } from './dto/create-comment.dto.js';

/**
 * A ticket's thread: its comments and its audit trail. (The audit trail is listed here, beside the
 * comments, so that its schemas keep their place in the OpenAPI document.)
 */
@ApiTags('Tickets')
@Controller('v1/tickets/:id')
export class CommentsController {
  constructor(
    private readonly comments: CommentsService,
    private readonly auditTrail: AuditTrailService,
    private readonly tickets: TicketsRepository,
    private readonly agents: AgentsService,
  ) {}

  @Post('comments')
  @RequireScopes('tickets:write')
  @ApiOperationDoc({
    operationId: 'addTicketComment',
    problems: ['ticket-closed'],
    summary: 'Add a comment',
    description:
      'A public agent comment is e-mailed to the customer and counts as a response; an internal note (`public: false`) is for agents only. ' +
      'A customer comment reopens a solved ticket; on a closed ticket it opens a follow-up ticket (the response\'s `ticketId`).',
    status: 201,
    type: CommentDto,
    example: COMMENT_EXAMPLE,
    errors: [400, 404, 413, 422],
  })
  async add(@Param() params: TicketRefParam, @Body() body: CreateCommentDto, @Actor() actor: TicketActor): Promise<CommentDto> {
    await this.agents.requireActing(actor);
    const author = { type: body.author.type, id: body.author.id ?? null, email: body.author.email ?? null, name: body.author.name ?? null };
    // The audit trail names the agent acting, else the comment's author, else the API key.
    const commentActor: TicketActor =
      actor.type === 'agent' ? actor : author.type === 'agent' && author.id ? { type: 'agent', id: author.id } : author.type === 'customer' ? { type: 'customer', id: author.id } : actor;
    return this.comments.add(params.id, { body: body.body, public: body.public, author, attachments: body.attachments ?? [] }, commentActor);
  }

  @Get('comments')
  @RequireScopes('tickets:read')
  @ApiOperationDoc({ operationId: 'listTicketComments', summary: 'The ticket\'s thread', description: 'Oldest first.', status: 200, type: CommentPageDto, example: { data: [COMMENT_EXAMPLE], nextCursor: null }, errors: [400, 404] })
  async list(@Param() params: TicketRefParam, @Query() query: PageQuery): Promise<Page<CommentDto>> {
    return this.comments.list(params.id, query.limit, query.cursor);
  }

  @Get('events')
  @RequireScopes('tickets:read')
  @ApiOperationDoc({
    operationId: 'listTicketEvents',
    summary: 'The ticket\'s audit trail',
    description: 'Every change with its actor, before and after, oldest first.',
    status: 200,
    type: AuditTrailPageDto,
    example: { data: [AUDIT_TRAIL_ENTRY_EXAMPLE], nextCursor: null },
    errors: [400, 404],
  })
  async auditTrailOf(@Param() params: TicketRefParam, @Query() query: PageQuery): Promise<Page<AuditTrailEntryDto>> {
    const t = await this.tickets.find(params.id);
    return this.auditTrail.list(t.id, query.limit, query.cursor);
  }
}
