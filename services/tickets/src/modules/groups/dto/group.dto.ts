import { NotBlank, OptionalField, PageDto } from '@careflow/http';
import { ApiProperty, ApiPropertyOptional, PartialType, PickType, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEmail, IsString, Length, Matches } from 'class-validator';

/** A group's stable key: lowercase letters, digits, _ and -. */
export const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const lowerAll = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)) : value;

@ApiSchema({ name: 'CreateGroupRequest' })
export class CreateGroupDto {
  @ApiProperty({ example: 'returns', description: 'Stable key: lowercase letters, digits, _ and -.' })
  @Matches(KEY_PATTERN, { message: 'key must be 1-64 lowercase letters, digits, _ or -, starting with a letter or digit' })
  key!: string;

  @ApiProperty({ example: 'Returns & refunds' })
  @IsString()
  @Length(1, 100)
  @NotBlank()
  name!: string;

  @ApiPropertyOptional({ type: [String], example: ['returns@shop.test'], description: 'Mail to these addresses is routed to this group.' })
  @OptionalField()
  @Transform(lowerAll)
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsEmail({}, { each: true, message: 'each inbound address must be an e-mail address' })
  inboundAddresses?: string[];
}

/** Name and addresses, each optional (never null: `[]` clears the addresses); `inboundAddresses` replaces the list. */
@ApiSchema({ name: 'UpdateGroupRequest' })
export class UpdateGroupDto extends PartialType(PickType(CreateGroupDto, ['name', 'inboundAddresses'] as const), { skipNullProperties: false }) {}

export class GroupKeyParam {
  @ApiProperty({ example: 'returns' })
  @Matches(KEY_PATTERN, { message: 'key must be a group key' })
  key!: string;
}

@ApiSchema({ name: 'Group' })
export class GroupDto {
  @ApiProperty({ example: 'returns' })
  key!: string;
  @ApiProperty({ example: 'Returns & refunds' })
  name!: string;
  @ApiProperty({ type: [String], example: ['returns@shop.test'] })
  inboundAddresses!: string[];
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  updatedAt!: string;
}

@ApiSchema({ name: 'GroupPage' })
export class GroupPageDto extends PageDto {
  @ApiProperty({ type: [GroupDto] })
  data!: GroupDto[];
}

export const GROUP_EXAMPLE: GroupDto = {
  key: 'returns',
  name: 'Returns & refunds',
  inboundAddresses: ['returns@shop.test'],
  createdAt: '2026-11-23T09:30:00.000Z',
  updatedAt: '2026-11-23T09:30:00.000Z',
};
