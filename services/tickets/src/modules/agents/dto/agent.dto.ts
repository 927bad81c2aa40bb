import { NotBlank, OptionalField, PageDto } from '@careflow/http';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsString, Length, Matches } from 'class-validator';

export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export class AgentIdParam {
  @ApiProperty({ example: 'agent_7' })
  @Matches(AGENT_ID_PATTERN, { message: 'id must be 1-128 characters of letters, digits and . _ : @ -' })
  id!: string;
}

@ApiSchema({ name: 'UpsertAgentRequest' })
export class UpsertAgentDto {
  @ApiProperty({ example: 'minh@shop.test' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email!: string;

  @ApiPropertyOptional({ example: 'Minh' })
  @OptionalField()
  @IsString()
  @Length(1, 200)
  @NotBlank()
  name?: string;

  @ApiPropertyOptional({ default: true, description: 'Inactive agents cannot be assigned tickets.' })
  @OptionalField()
  @IsBoolean()
  active?: boolean;
}

@ApiSchema({ name: 'Agent' })
export class AgentDto {
  @ApiProperty({ example: 'agent_7' })
  id!: string;
  @ApiProperty({ example: 'minh@shop.test' })
  email!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Minh' })
  name!: string | null;
  @ApiProperty({ example: true })
  active!: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  updatedAt!: string;
}

@ApiSchema({ name: 'AgentPage' })
export class AgentPageDto extends PageDto {
  @ApiProperty({ type: [AgentDto] })
  data!: AgentDto[];
}

export const AGENT_EXAMPLE: AgentDto = {
  id: 'agent_7',
  email: 'minh@shop.test',
  name: 'Minh',
  active: true,
  createdAt: '2026-11-23T09:30:00.000Z',
  updatedAt: '2026-11-23T09:30:00.000Z',
};
