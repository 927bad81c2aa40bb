import { NotBlank } from '@careflow/http';
import { Scope } from '@careflow/contracts';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length } from 'class-validator';

@ApiSchema({ name: 'CreateApiKeyRequest' })
export class CreateApiKeyDto {
  @ApiProperty({ example: 'shop backend (production)', minLength: 1, maxLength: 100 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  @NotBlank()
  name!: string;

  @ApiProperty({ enum: Scope, isArray: true, example: ['tickets:write', 'customers:write', 'orders:write'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(Scope, { each: true, message: `each value in scopes must be one of: ${Scope.join(', ')}` })
  scopes!: Scope[];
}
