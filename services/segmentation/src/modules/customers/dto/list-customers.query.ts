import { SEGMENT_KEY_PATTERN } from '@careflow/contracts';
import { NotBlank, OptionalField, PageQuery } from '@careflow/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';

export class ListCustomersQuery extends PageQuery {
  @ApiPropertyOptional({
    example: 'vip',
    pattern: SEGMENT_KEY_PATTERN.source,
    description: 'Members of this segment: a built-in key (`SegmentKey`) or a custom segment\'s key, so a string pattern rather than the enum. An unknown key is an empty page.',
  })
  @OptionalField()
  @Matches(SEGMENT_KEY_PATTERN, { message: 'segment must be a segment key (lower-case letters, digits, _)' })
  segment?: string;

  @ApiPropertyOptional({ example: 'nguyen lan', maxLength: 200, description: 'Part of the name or e-mail address; accents and case are ignored ("nguyen" finds "Nguyễn").' })
  @OptionalField()
  @IsString()
  @MaxLength(200)
  @NotBlank()
  q?: string;

  @ApiPropertyOptional({ example: 'lan.nguyen@example.com', description: 'Exact address, case ignored.' })
  @OptionalField()
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: 'newsletter' })
  @OptionalField()
  @IsString()
  @MaxLength(64)
  @NotBlank()
  tag?: string;
}
