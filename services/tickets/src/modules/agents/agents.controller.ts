import { ApiOperationDoc, PageQuery, RequireScopes, type Page } from '@careflow/http';
import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AgentsService } from './agents.service.js';
import { AGENT_EXAMPLE, AgentDto, AgentIdParam, AgentPageDto, UpsertAgentDto } from './dto/agent.dto.js';

@ApiTags('Agents')
@Controller('v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Put(':id')
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'upsertAgent',
    summary: 'Create or replace an agent',
    description: 'Agents are keyed by the shop\'s own id. Tickets can be assigned to active agents; agent comments are attributed to them.',
    status: 200,
    type: AgentDto,
    example: AGENT_EXAMPLE,
    errors: [400, 413],
  })
  async upsert(@Param() params: AgentIdParam, @Body() body: UpsertAgentDto): Promise<AgentDto> {
    return this.agents.upsert(params.id, body);
  }

  @Get()
  @RequireScopes('tickets:read')
  @ApiOperationDoc({ operationId: 'listAgents', summary: 'List agents', status: 200, type: AgentPageDto, example: { data: [AGENT_EXAMPLE], nextCursor: null }, errors: [400] })
  async list(@Query() query: PageQuery): Promise<Page<AgentDto>> {
    return this.agents.list(query.limit, query.cursor);
  }

  @Get(':id')
  @RequireScopes('tickets:read')
  @ApiOperationDoc({ operationId: 'getAgent', summary: 'Get an agent', status: 200, type: AgentDto, example: AGENT_EXAMPLE, errors: [400, 404] })
  async get(@Param() params: AgentIdParam): Promise<AgentDto> {
    return this.agents.get(params.id);
  }
}
