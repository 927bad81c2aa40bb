import { ENCRYPTION_KEY_PATTERN, parseBoolean, ServiceConfig } from '@careflow/platform';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

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

  /** Webhook URLs resolving to loopback, private, link-local, CGNAT, multicast or metadata addresses are refused unless this is true (tests). */
  @Transform(({ obj, key }) => parseBoolean((obj as Record<string, unknown>)[key]))
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean = false;

  /**
   * Key (32 bytes, base64 or hex: `openssl rand -base64 32`) that encrypts webhook signing
   * secrets at rest (AES-256-GCM, the endpoint id as associated data). Set, every secret is
   * stored encrypted, those stored before included (at start). Unset, secrets are stored as
   * they are; a secret encrypted earlier then cannot sign, and its deliveries fail and retry
   * until the key is back.
   */
  @IsOptional()
  @Matches(ENCRYPTION_KEY_PATTERN, { message: 'WEBHOOK_SECRET_ENCRYPTION_KEY must be 32 bytes, base64 (44 characters) or hex (64 characters)' })
  WEBHOOK_SECRET_ENCRYPTION_KEY?: string;

  /**
   * Seconds before each webhook delivery attempt, comma-separated; the first is the initial
   * attempt. Default: the Standard Webhooks schedule (now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h).
   */
  @Matches(/^\s*\d{1,7}(\s*,\s*\d{1,7}){0,49}\s*$/, { message: 'WEBHOOK_RETRY_SCHEDULE must be 1-50 whole numbers of seconds, comma-separated, e.g. 0,5,300' })
  WEBHOOK_RETRY_SCHEDULE: string = '0,5,300,1800,7200,18000,36000,50400,72000,86400';

  /** How long one delivery attempt may take (connect, send, answer) before it counts as failed. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOK_TIMEOUT_MS: number = 15_000;

  /** An endpoint failing without a single success for longer than this is disabled. */
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  WEBHOOK_DISABLE_AFTER_HOURS: number = 120;

  /** Who is told when an endpoint is disabled (unset: only the log and the endpoint's disabled reason). */
  @IsOptional()
  @IsEmail({}, { message: 'WEBHOOK_ADMIN_EMAIL must be an e-mail address' })
  WEBHOOK_ADMIN_EMAIL?: string;

  /** How often due webhook retries are (re)scheduled from Postgres: the look-ahead that survives a Redis loss. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  WEBHOOK_RECONCILE_INTERVAL_MS: number = 60_000;

  /** Attempts in flight to one endpoint at once, over all workers: a slow receiver cannot take every worker. */
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_ENDPOINT_CONCURRENCY: number = 10;

  /**
   * Webhook attempts one worker process runs at once. They mostly wait on receivers, so far
   * more than WORKER_CONCURRENCY; their reads and writes to Postgres are shared statements.
   */
  @IsInt()
  @Min(1)
  @Max(2000)
  WEBHOOK_WORKER_CONCURRENCY: number = 200;

  /**
   * Days a webhook message is kept with its deliveries and their attempts (the delivery log,
   * retries and recover reach back this far); one with a delivery still pending stays until it ends.
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  WEBHOOK_RETENTION_DAYS: number = 30;
}
