import { ENCRYPTION_KEY_PATTERN, ServiceConfig } from '@careflow/platform';
import { Transform } from 'class-transformer';
import { ArrayNotEmpty, IsInt, IsIP, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

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

  // --- Inbound SMTP listener (modules/smtp-listener) ---

  /** Port of the inbound SMTP listener (an MX or a forwarding rule points here); 0 or unset: off. */
  @IsInt()
  @Min(0)
  @Max(65535)
  INBOUND_SMTP_PORT: number = 0;

  /** Address the listener binds; unset: the service's HOST (an MX must be reachable, so containers set 0.0.0.0). */
  @IsOptional()
  @IsIP(undefined, { message: 'INBOUND_SMTP_HOST must be an IP address to listen on (0.0.0.0, ::, 127.0.0.1)' })
  INBOUND_SMTP_HOST?: string;

  /**
   * The shop's mail domains, comma-separated: RCPT TO for any other domain is refused (550 5.7.1),
   * so the listener is never an open relay. Required when the listener is on.
   */
  @Transform(({ obj, key }) => domainList((obj as Record<string, unknown>)[key]))
  @ValidateIf((c: EmailIngestConfig) => c.INBOUND_SMTP_PORT > 0)
  @ArrayNotEmpty({ message: 'INBOUND_SMTP_DOMAINS must list the domains to accept mail for (support.shop.example) when INBOUND_SMTP_PORT is set' })
  @Matches(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, { each: true, message: 'INBOUND_SMTP_DOMAINS must be domain names separated by commas' })
  INBOUND_SMTP_DOMAINS: string[] = [];

  /** The name the listener greets with and writes in Received: (the MX host name); unset: the machine's host name. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9.-]{1,253}$/, { message: 'INBOUND_SMTP_HOSTNAME must be a host name' })
  INBOUND_SMTP_HOSTNAME?: string;

  /** PEM certificate file offering STARTTLS; with INBOUND_SMTP_TLS_KEY. Unset: no STARTTLS. */
  @ValidateIf((c: EmailIngestConfig) => c.INBOUND_SMTP_TLS_CERT !== undefined || c.INBOUND_SMTP_TLS_KEY !== undefined)
  @IsString({ message: 'INBOUND_SMTP_TLS_CERT and INBOUND_SMTP_TLS_KEY must be set together' })
  @IsNotEmpty()
  INBOUND_SMTP_TLS_CERT?: string;

  /** PEM private key file of INBOUND_SMTP_TLS_CERT. */
  @ValidateIf((c: EmailIngestConfig) => c.INBOUND_SMTP_TLS_CERT !== undefined || c.INBOUND_SMTP_TLS_KEY !== undefined)
  @IsString({ message: 'INBOUND_SMTP_TLS_CERT and INBOUND_SMTP_TLS_KEY must be set together' })
  @IsNotEmpty()
  INBOUND_SMTP_TLS_KEY?: string;

  /** Recipients one message may have; more get 452 4.5.3 (the sender sends the rest again). */
  @IsInt()
  @Min(1)
  @Max(1000)
  INBOUND_SMTP_MAX_RECIPIENTS: number = 50;

  /** Connections served at once; each may hold a message of EMAIL_BODY_LIMIT in memory. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  INBOUND_SMTP_MAX_CLIENTS: number = 50;

  /** How long a connection may stay silent before it is closed. */
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  INBOUND_SMTP_SOCKET_TIMEOUT_MS: number = 120_000;

  // --- Provider webhooks (modules/provider-webhooks) ---

  /** Mailgun's HTTP webhook signing key; unset: POST /v1/inbound/providers/mailgun does not exist (404). */
  @IsOptional()
  @IsString()
  @MinLength(8)
  MAILGUN_WEBHOOK_SIGNING_KEY?: string;

  /** The Basic auth user name in Postmark's inbound webhook URL; with POSTMARK_INBOUND_PASSWORD. Unset: the route is 404. */
  @ValidateIf((c: EmailIngestConfig) => c.POSTMARK_INBOUND_USERNAME !== undefined || c.POSTMARK_INBOUND_PASSWORD !== undefined)
  @IsString({ message: 'POSTMARK_INBOUND_USERNAME and POSTMARK_INBOUND_PASSWORD must be set together' })
  @Matches(/^[^:\s]+$/, { message: 'POSTMARK_INBOUND_USERNAME must not contain a colon or spaces' })
  POSTMARK_INBOUND_USERNAME?: string;

  /** The Basic auth password in Postmark's inbound webhook URL (at least 16 characters). */
  @ValidateIf((c: EmailIngestConfig) => c.POSTMARK_INBOUND_USERNAME !== undefined || c.POSTMARK_INBOUND_PASSWORD !== undefined)
  @IsString({ message: 'POSTMARK_INBOUND_USERNAME and POSTMARK_INBOUND_PASSWORD must be set together' })
  @MinLength(16)
  POSTMARK_INBOUND_PASSWORD?: string;

  // --- IMAP mailboxes (modules/mailboxes) ---

  /**
   * Key that encrypts IMAP mailbox passwords and OAuth tokens (AES-256-GCM): 32 random bytes,
   * base64 or hex (`openssl rand -base64 32`). Unset: registering a mailbox answers 409
   * `mailbox-encryption-key-missing` and no mailbox is fetched.
   */
  @IsOptional()
  @Matches(ENCRYPTION_KEY_PATTERN, { message: 'MAILBOX_ENCRYPTION_KEY must be 32 bytes, base64 (44 characters) or hex (64 characters)' })
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

/** `a.example, B.example` → `['a.example', 'b.example']` (a list given as an array is taken as is). */
function domainList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return [...new Set(value.split(',').map((d) => d.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean))];
}
