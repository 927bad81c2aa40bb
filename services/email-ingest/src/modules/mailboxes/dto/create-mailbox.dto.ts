import { NotBlank, OptionalField } from '@careflow/http';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { AfterFetch, MailboxTls } from '../mailbox.record.js';

/** A host name or an IPv4 address (IPv6 in brackets is not needed by any IMAP provider we know). */
const HOST_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
/** Folder names: any text but control characters (IMAP names travel as quoted strings or literals). */
const FOLDER_PATTERN = /^[^\u0000-\u001f\u007f]+$/;
/** A group's key as tickets defines it (lowercase letters, digits, _ and -). */
const GROUP_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

@ApiSchema({ name: 'CreateMailboxRequest' })
export class CreateMailboxDto {
  @ApiProperty({ example: 'Support inbox', description: 'A name for people.' })
  @IsString()
  @Length(1, 100)
  @NotBlank()
  name!: string;

  @ApiProperty({ example: 'imap.shop.test', description: 'IMAP server: a host name or IPv4 address.' })
  @IsString()
  @Matches(HOST_PATTERN, { message: 'host must be a host name or IPv4 address' })
  host!: string;

  @ApiProperty({ type: 'integer', example: 993, minimum: 1, maximum: 65535 })
  @IsInt()
  @Min(1)
  @Max(65535)
  port!: number;

  @ApiProperty({ enum: MailboxTls, enumName: 'MailboxTls', example: 'implicit', description: '`implicit`: TLS from the first byte (port 993); `starttls`: upgrade required (port 143); `none`: plain text, for test servers only.' })
  @IsIn(MailboxTls, { message: `tls must be one of ${MailboxTls.join(', ')}` })
  tls!: MailboxTls;

  @ApiProperty({ example: 'support@shop.test' })
  @IsString()
  @Length(1, 320)
  @NotBlank()
  username!: string;

  @ApiPropertyOptional({ writeOnly: true, description: 'Password (LOGIN/PLAIN). Give this or `accessToken`, not both. Stored encrypted, never returned.' })
  @OptionalField()
  @IsString()
  @Length(1, 1024)
  password?: string;

  @ApiPropertyOptional({ writeOnly: true, description: 'OAuth 2 access token (XOAUTH2). Give this or `password`, not both. Stored encrypted, never returned.' })
  @OptionalField()
  @IsString()
  @Length(1, 8192)
  accessToken?: string;

  @ApiPropertyOptional({ example: 'INBOX', default: 'INBOX', description: 'The folder to fetch.' })
  @OptionalField()
  @IsString()
  @Length(1, 255)
  @Matches(FOLDER_PATTERN, { message: 'folder must not contain control characters' })
  @NotBlank()
  folder?: string;

  @ApiPropertyOptional({
    enum: AfterFetch, enumName: 'MailboxAfterFetch',
    default: 'seen',
    description: 'What happens to a message once its raw bytes are stored: flagged `\\Seen` (only unseen messages are fetched), moved to `moveTo`, or deleted.',
  })
  @OptionalField()
  @IsIn(AfterFetch, { message: `afterFetch must be one of ${AfterFetch.join(', ')}` })
  afterFetch?: AfterFetch;

  @ApiPropertyOptional({ example: 'Processed', description: 'The folder fetched messages are moved to; required with `afterFetch: move`, refused otherwise. It must exist.' })
  @OptionalField()
  @IsString()
  @Length(1, 255)
  @Matches(FOLDER_PATTERN, { message: 'moveTo must not contain control characters' })
  @NotBlank()
  moveTo?: string;

  @ApiPropertyOptional({ example: 'returns', description: 'The group (tickets) that messages of this mailbox feed.' })
  @OptionalField()
  @Matches(GROUP_KEY_PATTERN, { message: 'groupKey must be 1-64 lowercase letters, digits, _ or -, starting with a letter or digit' })
  groupKey?: string;

  @ApiPropertyOptional({ default: true })
  @OptionalField()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: 'integer', default: 60, minimum: 5, maximum: 86400, description: 'Seconds between polls; servers with IDLE also push new mail at once.' })
  @OptionalField()
  @IsInt()
  @Min(5)
  @Max(86400)
  pollSeconds?: number;
}
