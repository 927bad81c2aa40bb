import { ServiceConfig } from '@careflow/platform';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

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

  /**
   * Key that encrypts IMAP mailbox passwords and OAuth tokens (AES-256-GCM): 32 random bytes,
   * base64 or hex (`openssl rand -base64 32`). Unset: registering a mailbox answers 409
   * `mailbox-encryption-key-missing` and no mailbox is fetched.
   */
  @IsOptional()
  @Matches(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$/, { message: 'MAILBOX_ENCRYPTION_KEY must be 32 bytes, base64 (44 characters) or hex (64 characters)' })
  MAILBOX_ENCRYPTION_KEY?: string;

  /** How often a replica claims mailboxes and picks up changes made on other replicas (ms). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  MAILBOX_SYNC_INTERVAL_MS: number = 10_000;

  /** How long a replica's claim on a mailbox lasts without renewal; another replica takes it over after (s). */
  @IsInt()
  @Min(2)
  @Max(3600)
  MAILBOX_LEASE_SECONDS: number = 60;

  /** First wait after a failed connection or fetch; doubles with each failure in a row (ms). */
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  MAILBOX_RETRY_BASE_MS: number = 5_000;

  /** Longest wait between attempts on a failing mailbox (ms). */
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  MAILBOX_RETRY_MAX_MS: number = 15 * 60_000;

  /** Connection and greeting timeout of an IMAP connection (ms). */
  @IsInt()
  @Min(500)
  @Max(300_000)
  MAILBOX_CONNECT_TIMEOUT_MS: number = 20_000;
}
