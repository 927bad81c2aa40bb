import type { TicketActor } from '@careflow/contracts';
import { ApiOperationDoc, ExternalIdParam, RequireScopes, type Page } from '@careflow/http';
import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { AgentsService } from '../agents/agents.service.js';
import { Actor } from './actor.decorator.js';
import { CreateTicketDto } from './dto/create-ticket.dto.js';
import { ListTicketsQuery } from './dto/list-tickets.query.js';
import { TICKET_EXAMPLE, TicketDto, TicketPageDto } from './dto/ticket.dto.js';
import { UpdateTicketDto } from './dto/update-ticket.dto.js';
import { TicketSearchRepository } from './ticket-search.repository.js';
import { TicketsService } from './tickets.service.js';
import { toTicketDto, type TicketRecord } from './ticket.record.js';

export class TicketRefParam {
  @ApiProperty({ example: '1042', description: 'The ticket\'s UUID or its number.' })
  @IsString()
  @Length(1, 64)
  id!: string;
}

function toTicketPage(page: Page<TicketRecord>): Page<TicketDto> {
  return { data: page.data.map(toTicketDto), nextCursor: page.nextCursor };
}

const ON_BEHALF_OF = ApiHeader({ name: 'On-Behalf-Of', required: false, description: 'Id of the agent making the change (recorded in the audit trail).', example: 'agent_7' });

@ApiTags('Tickets')
@Controller()
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly search: TicketSearchRepository,
    private readonly agents: AgentsService,
  ) {}

  @Post('v1/tickets')
  @RequireScopes('tickets:write')
  @ON_BEHALF_OF
  @ApiOperationDoc({
    operationId: 'createTicket',
    summary: 'Open a ticket',
    description:
      'From any channel. Gets the next ticket number. Without `priority`, the priority is derived from the customer\'s segment and the ticket type ' +
      '(shipment exceptions at least high; VIPs one step up); SLA due times come from the segment × priority policy.',
    status: 201,
    type: TicketDto,
    example: TICKET_EXAMPLE,
    errors: [400, 413, 422],
  })
  async create(@Body() body: CreateTicketDto, @Actor() actor: TicketActor): Promise<TicketDto> {
    await this.agents.requireActing(actor);
    return toTicketDto(await this.tickets.create(body, actor));
  }

  @Get('v1/tickets')
  @RequireScopes('tickets:read')
  @ApiOperationDoc({
    operationId: 'listTickets',
    summary: 'List and search tickets',
    status: 200,
    type: TicketPageDto,
    example: { data: [TICKET_EXAMPLE], nextCursor: null },
    errors: [400],
  })
  async list(@Query() query: ListTicketsQuery): Promise<Page<TicketDto>> {
    return toTicketPage(await this.search.list(query));
  }

  @Get('v1/tickets/:id')
  @RequireScopes('tickets:read')
  @ApiOperationDoc({ operationId: 'getTicket', summary: 'Get a ticket', status: 200, type: TicketDto, example: TICKET_EXAMPLE, errors: [400, 404] })
  async get(@Param() params: TicketRefParam): Promise<TicketDto> {
    return toTicketDto(await this.tickets.get(params.id));
  }

  @Patch('v1/tickets/:id')
  @RequireScopes('tickets:write')
  @ON_BEHALF_OF
  @ApiOperationDoc({
    operationId: 'updateTicket',
    summary: 'Change a ticket',
    description: 'Status (invalid transitions are 409), priority, type, assignee, group, tags. Each change is recorded in the audit trail; a PATCH that changes nothing records nothing.',
    status: 200,
    type: TicketDto,
    example: { ...TICKET_EXAMPLE, status: 'open' },
    errors: [400, 404, 409, 413, 422],
  })
  async update(@Param() params: TicketRefParam, @Body() body: UpdateTicketDto, @Actor() actor: TicketActor): Promise<TicketDto> {
    await this.agents.requireActing(actor);
    return toTicketDto(await this.tickets.update(params.id, body, actor));
  }

  @Get('v1/customers/:externalId/tickets')
  @RequireScopes('tickets:read')
  @ApiOperationDoc({
    operationId: 'listCustomerTickets',
    summary: 'A customer\'s tickets',
    description: 'The customer\'s timeline: tickets of every channel, newest first.',
    status: 200,
    type: TicketPageDto,
    example: { data: [TICKET_EXAMPLE], nextCursor: null },
    errors: [400],
    tags: ['Customers'],
  })
  async customerTickets(@Param() params: ExternalIdParam, @Query() query: ListTicketsQuery): Promise<Page<TicketDto>> {
    return toTicketPage(await this.search.list(Object.assign(query, { customerExternalId: params.externalId, sort: query.sort ?? '-createdAt' })));
  }
}
