import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, Matches } from 'class-validator';

/** The shop's own identifiers (customers, orders): URL-safe, up to 128 characters. */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export class ExternalIdParam {
  @ApiProperty({ example: 'cus_1001', pattern: EXTERNAL_ID_PATTERN.source })
  @Matches(EXTERNAL_ID_PATTERN, {
    message: 'externalId must be 1-128 characters of letters, digits and . _ : @ - starting with a letter or digit',
  })
  externalId!: string;
}

export class UuidParam {
  @ApiProperty({ format: 'uuid', example: '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}
