import { ApiOperationDoc, RequireScopes } from '@careflow/http';
import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReplaceSlaPoliciesDto, SLA_POLICY_EXAMPLE, SlaPolicyListDto } from './dto/sla-policy.dto.js';
import { SlaPoliciesService } from './sla-policies.service.js';

@ApiTags('SLA policies')
@Controller('v1/sla-policies')
export class SlaPoliciesController {
  constructor(private readonly policies: SlaPoliciesService) {}

  @Get()
  @RequireScopes('tickets:read')
  @ApiOperationDoc({
    operationId: 'listSlaPolicies',
    summary: 'List SLA policies',
    description: 'The response-time targets for each segment × priority, in seconds (calendar time).',
    status: 200,
    type: SlaPolicyListDto,
    example: { data: [SLA_POLICY_EXAMPLE], nextCursor: null },
  })
  async list(): Promise<SlaPolicyListDto> {
    return { data: await this.policies.list(), nextCursor: null };
  }

  @Put()
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'replaceSlaPolicies',
    summary: 'Set SLA policies',
    description: 'Sets the listed segment × priority targets; others keep theirs. New targets apply to tickets created or re-prioritised from now on.',
    status: 200,
    type: SlaPolicyListDto,
    example: { data: [SLA_POLICY_EXAMPLE], nextCursor: null },
    errors: [400, 413],
  })
  async replace(@Body() body: ReplaceSlaPoliciesDto): Promise<SlaPolicyListDto> {
    return { data: await this.policies.replace(body.policies), nextCursor: null };
  }
}
