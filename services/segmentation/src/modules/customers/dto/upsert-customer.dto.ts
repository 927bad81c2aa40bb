import { Segment } from '@careflow/contracts';
import { NotBlank, NullableField, OptionalField } from '@careflow/http';
import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsString, Matches, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * PUT semantics: the body is the customer's whole contact record. A field left out is
 * cleared, so the shop's record and Careflow's stay the same.
 */
@ApiSchema({ name: 'UpsertCustomerRequest' })
export class UpsertCustomerDto {
  @ApiPropertyOptional({ type: String, format: 'email', example: 'lan.nguyen@example.com', maxLength: 254, nullable: true })
  @NullableField()
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Nguyễn Thị Lan', maxLength: 200, nullable: true })
  @NullableField()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({ type: String, example: '+84 912 345 678', maxLength: 40, nullable: true })
  @NullableField()
  @IsString()
  @Matches(/^\+?[0-9 ()./-]{3,40}$/, { message: 'phone must be a phone number (digits, spaces, + ( ) . / -)' })
  phone?: string | null;

  @ApiPropertyOptional({ type: String, example: 'vi', description: 'BCP 47 language tag; chooses the language of e-mails.', nullable: true })
  @NullableField()
  @Matches(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, { message: 'locale must be a BCP 47 language tag such as en or vi-VN' })
  locale?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['newsletter', 'hanoi'], maxItems: 50 })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  @NotBlank({ each: true })
  tags?: string[];

  @ApiPropertyOptional({
    type: Boolean,
    example: true,
    nullable: true,
    description: 'Manual VIP flag: true or false overrides the segment rules; null leaves it to them.',
  })
  @NullableField()
  @IsBoolean()
  vip?: boolean | null;

  @ApiPropertyOptional({
    enum: Segment,
    nullable: true,
    example: null,
    description: 'Manual primary segment: wins over the VIP flag and every rule; null leaves the segment to them.',
  })
  @NullableField()
  @IsIn(Segment, { message: `segmentOverride must be one of ${Segment.join(', ')}` })
  segmentOverride?: Segment | null;
}
