import { Scope } from '@careflow/contracts';
import { PageDto } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ApiKeyRecord } from '../api-key.record.js';

@ApiSchema({ name: 'ApiKey' })
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '3d6f0a9e-1b7c-4a8e-9d2f-5c4b3a291807' })
  id!: string;
  @ApiProperty({ example: 'shop backend (production)' })
  name!: string;
  @ApiProperty({ example: 'cf_3kq9x2mv', description: 'The start of the key, to recognise it.' })
  prefix!: string;
  @ApiProperty({ enum: Scope, isArray: true, example: ['tickets:write'] })
  scopes!: Scope[];
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  lastUsedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  revokedAt!: string | null;

  static from(k: ApiKeyRecord): ApiKeyDto {
    return {
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      scopes: k.scopes,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    };
  }
}

@ApiSchema({ name: 'CreatedApiKey' })
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'cf_3kq9x2mv_Xb0cQ2l7mH1u9gT4yW8aZk3rN6pV5sE0dJ2fL7hC1qA',
    description: 'The key itself. Shown only in this response: store it now.',
  })
  key!: string;
}

@ApiSchema({ name: 'ApiKeyPage' })
export class ApiKeyPageDto extends PageDto {
  @ApiProperty({ type: [ApiKeyDto] })
  data!: ApiKeyDto[];
}

export const API_KEY_EXAMPLE: ApiKeyDto = {
  id: '3d6f0a9e-1b7c-4a8e-9d2f-5c4b3a291807',
  name: 'shop backend (production)',
  prefix: 'cf_3kq9x2mv',
  scopes: ['tickets:write', 'customers:write', 'orders:write'],
  createdAt: '2026-11-23T09:30:00.000Z',
  lastUsedAt: null,
  revokedAt: null,
};
