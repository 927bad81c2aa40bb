import { ApiOperationDoc, PageQuery, RequireScopes, UuidParam, type Page } from '@careflow/http';
import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service.js';
import { API_KEY_EXAMPLE, ApiKeyDto, ApiKeyPageDto, CreatedApiKeyDto } from './dto/api-key.dto.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('API keys')
@Controller('v1/api-keys')
@RequireScopes('admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperationDoc({
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description: 'The response is the only time the key is shown; Careflow stores a hash of it.',
    status: 201,
    type: CreatedApiKeyDto,
    example: { ...API_KEY_EXAMPLE, key: 'cf_3kq9x2mv_Xb0cQ2l7mH1u9gT4yW8aZk3rN6pV5sE0dJ2fL7hC1qA' },
    errors: [400, 413],
  })
  async create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { apiKey, key } = await this.apiKeys.create(body.name, body.scopes);
    return { ...ApiKeyDto.from(apiKey), key };
  }

  @Get()
  @ApiOperationDoc({
    operationId: 'listApiKeys',
    summary: 'List API keys',
    description: 'Oldest first, revoked keys included (with `revokedAt`). Keys themselves are never returned.',
    status: 200,
    type: ApiKeyPageDto,
    example: { data: [API_KEY_EXAMPLE], nextCursor: null },
    errors: [400],
  })
  async list(@Query() query: PageQuery): Promise<Page<ApiKeyDto>> {
    return this.apiKeys.list(query.limit, query.cursor);
  }

  @Delete(':id')
  @ApiOperationDoc({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description: 'Takes effect at once on every gateway replica. Revoking twice is harmless.',
    status: 200,
    type: ApiKeyDto,
    example: { ...API_KEY_EXAMPLE, revokedAt: '2026-11-24T08:00:00.000Z' },
    errors: [400, 404],
  })
  async revoke(@Param() params: UuidParam): Promise<ApiKeyDto> {
    return ApiKeyDto.from(await this.apiKeys.revoke(params.id));
  }
}
