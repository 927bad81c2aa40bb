import { ApiOperationDoc, PageQuery, RequireScopes, type Page } from '@careflow/http';
import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateGroupDto, GROUP_EXAMPLE, GroupDto, GroupKeyParam, GroupPageDto, UpdateGroupDto } from './dto/group.dto.js';
import { GroupsService } from './groups.service.js';

@ApiTags('Groups')
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'createGroup',
    problems: ['group-exists', 'address-taken'],
    summary: 'Create a group (team)',
    description: 'Mail to the group\'s inbound addresses is routed to it; its first address is the Reply-To of its tickets\' mail.',
    status: 201,
    type: GroupDto,
    example: GROUP_EXAMPLE,
    errors: [400, 413],
  })
  async create(@Body() body: CreateGroupDto): Promise<GroupDto> {
    return this.groups.create(body);
  }

  @Get()
  @RequireScopes('tickets:read')
  @ApiOperationDoc({ operationId: 'listGroups', summary: 'List groups', status: 200, type: GroupPageDto, example: { data: [GROUP_EXAMPLE], nextCursor: null }, errors: [400] })
  async list(@Query() query: PageQuery): Promise<Page<GroupDto>> {
    return this.groups.list(query.limit, query.cursor);
  }

  @Get(':key')
  @RequireScopes('tickets:read')
  @ApiOperationDoc({ operationId: 'getGroup', summary: 'Get a group', status: 200, type: GroupDto, example: GROUP_EXAMPLE, errors: [400, 404] })
  async get(@Param() params: GroupKeyParam): Promise<GroupDto> {
    return this.groups.get(params.key);
  }

  @Patch(':key')
  @RequireScopes('admin')
  @ApiOperationDoc({ operationId: 'updateGroup', problems: ['address-taken'], summary: 'Update a group', status: 200, type: GroupDto, example: GROUP_EXAMPLE, errors: [400, 404, 413] })
  async update(@Param() params: GroupKeyParam, @Body() body: UpdateGroupDto): Promise<GroupDto> {
    return this.groups.update(params.key, body);
  }
}
