import { InboundEmailStatus } from '@careflow/contracts';
import { OptionalField, PageQuery } from '@careflow/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, MaxLength } from 'class-validator';

export class ListInboundEmailsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: InboundEmailStatus })
  @OptionalField()
  @IsIn(InboundEmailStatus, { message: `status must be one of ${InboundEmailStatus.join(', ')}` })
  status?: InboundEmailStatus;

  @ApiPropertyOptional({ example: 'lan.nguyen@example.com', description: 'Sender address, case ignored.' })
  @OptionalField()
  @IsEmail({}, { message: 'from must be an e-mail address' })
  @MaxLength(254)
  from?: string;
}
