import { ArrayOfObjects, NotBlank, OptionalField } from '@careflow/http';
import { CommentAuthorType } from '@careflow/contracts';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsEmail, IsIn, IsInt, IsObject, IsString, Length, MaxLength, Min, ValidateNested } from 'class-validator';

@ApiSchema({ name: 'CommentAuthorRequest' })
export class CommentAuthorInput {
  @ApiProperty({ enum: CommentAuthorType, example: 'agent' })
  @IsIn(CommentAuthorType)
  type!: CommentAuthorType;

  @ApiPropertyOptional({ example: 'agent_7', description: 'For agents: a known agent id.' })
  @OptionalField()
  @IsString()
  @MaxLength(128)
  id?: string;

  @ApiPropertyOptional({ example: 'minh@shop.test' })
  @OptionalField()
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email?: string;

  @ApiPropertyOptional({ example: 'Minh' })
  @OptionalField()
  @IsString()
  @MaxLength(200)
  name?: string;
}

@ApiSchema({ name: 'AttachmentRequest' })
export class AttachmentInput {
  @ApiProperty({ example: 'photo-of-damage.jpg' })
  @IsString()
  @Length(1, 255)
  name!: string;

  @ApiProperty({ example: 'image/jpeg' })
  @IsString()
  @Length(3, 255)
  contentType!: string;

  @ApiProperty({ type: 'integer', example: 183422 })
  @IsInt()
  @Min(0)
  size!: number;

  @ApiProperty({ example: 'https://files.shop.test/a/9f2c.jpg', description: 'Where the content is kept.' })
  @IsString()
  @Length(1, 2048)
  contentRef!: string;
}

@ApiSchema({ name: 'CreateCommentRequest' })
export class CreateCommentDto {
  @ApiProperty({ example: 'Chúng tôi đã liên hệ với hãng vận chuyển và sẽ báo lại trong hôm nay.' })
  @IsString()
  @Length(1, 65536)
  @NotBlank()
  body!: string;

  @ApiPropertyOptional({ default: true, description: 'Public comments are visible to (and e-mailed to) the customer; internal notes are not.' })
  @OptionalField()
  @IsBoolean()
  public: boolean = true;

  @ApiProperty({ type: CommentAuthorInput })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CommentAuthorInput)
  author!: CommentAuthorInput;

  @ApiPropertyOptional({ type: [AttachmentInput] })
  @OptionalField()
  @ArrayOfObjects(() => AttachmentInput, { maxItems: 20 })
  attachments?: AttachmentInput[];
}
