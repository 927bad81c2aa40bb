import { ServiceConfig } from '@careflow/platform';
import { IsInt, Matches, Max, Min } from 'class-validator';

export class EmailIngestConfig extends ServiceConfig {
  override PORT: number = 3002;

  /** Largest raw message accepted (the gateway holds POST /v1/inbound/email to the same limit). */
  @Matches(/^\d+(kb|mb)$/, { message: 'EMAIL_BODY_LIMIT must be a size such as 25mb or 512kb' })
  EMAIL_BODY_LIMIT: string = '25mb';

  /** The product's own sender (notifications' MAIL_FROM): mail from it is a loop and is ignored. */
  @Matches(/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/, { message: 'MAIL_FROM must be an address, optionally with a name: Support <support@shop.test>' })
  MAIL_FROM: string = 'Support <support@shop.test>';

  /**
   * Messages one sender may turn into tickets or comments per hour; beyond it their mail is
   * `rejected` (`sender-rate-limited`), so an autoresponder storm cannot open a thousand tickets.
   */
  @IsInt()
  @Min(1)
  @Max(100_000)
  INBOUND_SENDER_LIMIT_PER_HOUR: number = 30;

  /** Largest attachment kept (bytes); a larger one is listed with `omitted: too-large` and no content. */
  @IsInt()
  @Min(0)
  @Max(100 * 1024 * 1024)
  INBOUND_ATTACHMENT_MAX_BYTES: number = 10 * 1024 * 1024;

  /** Attachments kept per message; the rest are listed as omitted. */
  @IsInt()
  @Min(0)
  @Max(1000)
  INBOUND_MAX_ATTACHMENTS: number = 50;
}
