import { NullableField } from '@careflow/http';
import { ApiPropertyOptional, OmitType, PartialType, ApiSchema } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { CreateMailboxDto } from './create-mailbox.dto.js';

/**
 * Any field of the registration; those left out stay. A new `password` or `accessToken`
 * replaces the stored credential (and the method). `groupKey: null` clears the group. Switching
 * `afterFetch` away from `move` drops `moveTo`.
 */
@ApiSchema({ name: 'UpdateMailboxRequest' })
export class UpdateMailboxDto extends PartialType(OmitType(CreateMailboxDto, ['groupKey'] as const), { skipNullProperties: false }) {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'returns' })
  @NullableField()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'groupKey must be 1-64 lowercase letters, digits, _ or -, starting with a letter or digit' })
  groupKey?: string | null;
}
