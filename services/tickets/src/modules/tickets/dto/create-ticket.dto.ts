import { Channel, TicketPriority, TicketType } from '@careflow/contracts';
import { EXTERNAL_ID_PATTERN, NotBlank, OptionalField } from '@careflow/http';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDefined, IsEmail, IsIn, IsObject, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsAgentId, IsGroupKey, IsTicketTags } from './ticket-fields.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@ApiSchema({ name: 'TicketCustomerRequest' })
export class TicketCustomerInput {
  @ApiPropertyOptional({ example: 'cus_1001', description: 'The shop\'s customer id; links the ticket to the customer\'s timeline and segment.' })
  @OptionalField()
  @Matches(EXTERNAL_ID_PATTERN, { message: 'externalId must be 1-128 characters of letters, digits and . _ : @ -' })
  externalId?: string;

  @ApiProperty({ example: 'lan.nguyen@example.com' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ example: 'Nguyễn Thị Lan' })
  @OptionalField()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  name?: string;
}

@ApiSchema({ name: 'CreateTicketRequest' })
export class CreateTicketDto {
  @ApiProperty({ example: 'Đơn hàng #1042 chưa được giao', minLength: 1, maxLength: 250 })
  @Transform(trim)
  @IsString()
  @Length(1, 250)
  @NotBlank()
  subject!: string;

  @ApiProperty({ example: 'My order was due on Monday and the tracking page has not moved since.', maxLength: 65536 })
  @IsString()
  @Length(1, 65536)
  @NotBlank()
  description!: string;

  @ApiProperty({ type: TicketCustomerInput })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TicketCustomerInput)
  customer!: TicketCustomerInput;

  @ApiProperty({ enum: Channel, example: 'web' })
  @IsIn(Channel)
  channel!: Channel;

  @ApiPropertyOptional({ enum: TicketPriority, description: 'When left out, derived from the customer\'s segment and the ticket type.' })
  @OptionalField()
  @IsIn(TicketPriority)
  priority?: TicketPriority;

  @ApiPropertyOptional({ enum: TicketType, default: 'question' })
  @OptionalField()
  @IsIn(TicketType)
  type?: TicketType;

  @ApiPropertyOptional({ type: [String], example: ['delivery'], maxItems: 20 })
  @OptionalField()
  @IsTicketTags()
  tags?: string[];

  @ApiPropertyOptional({ example: 'ord_1042' })
  @OptionalField()
  @Matches(EXTERNAL_ID_PATTERN, { message: 'orderExternalId must be 1-128 characters of letters, digits and . _ : @ -' })
  orderExternalId?: string;

  @ApiPropertyOptional({ example: 'support', description: 'Key of the group (team) that owns the ticket.' })
  @OptionalField()
  @IsGroupKey()
  group?: string;

  @ApiPropertyOptional({ example: 'agent_7', description: 'Id of the agent the ticket is assigned to.' })
  @OptionalField()
  @IsAgentId()
  assignee?: string;
}
