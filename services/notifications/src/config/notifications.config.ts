import { parseBoolean, ServiceConfig } from '@careflow/platform';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class NotificationsConfig extends ServiceConfig {
  override PORT: number = 3003;

  /** Outbound mail relay (nodemailer). smtps:// for implicit TLS; credentials in the URL. */
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL: string = 'smtp://127.0.0.1:1025';

  /** Sender of every e-mail and the default reply address. */
  @Matches(/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/, { message: 'MAIL_FROM must be an address, optionally with a name: Support <support@shop.test>' })
  MAIL_FROM: string = 'Support <support@shop.test>';

  /** The shop's name as e-mails show it. */
  @IsString()
  @MaxLength(100)
  SHOP_NAME: string = 'Careflow Shop';

  /** Simultaneous SMTP connections of one process (the transport is pooled). */
  @IsInt()
  @Min(1)
  @Max(50)
  SMTP_POOL_SIZE: number = 5;

  /** Sending attempts of a message before it is marked failed (4xx and connection errors retry). */
  @IsInt()
  @Min(1)
  @Max(50)
  MAIL_MAX_ATTEMPTS: number = 8;

  /**
   * Webhook URLs on loopback, private, link-local, CGNAT or cloud metadata addresses are refused
   * (SSRF) unless this is true: development machines and tests, whose receivers run locally.
   */
  @Transform(({ obj, key }) => parseBoolean((obj as Record<string, unknown>)[key]))
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean = false;
}
