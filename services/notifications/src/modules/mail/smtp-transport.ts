import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { NotificationsConfig } from '../../config/notifications.config.js';
import type { RawMessage } from './mail-composer.js';

export type SendOutcome =
  | { kind: 'sent'; response: string }
  | { kind: 'retry'; error: string }
  | { kind: 'failed'; error: string };

/**
 * The pooled SMTP transport. Classifies what the relay answered: 2xx sent; 4xx and
 * connection trouble are temporary (retry later); 5xx is permanent (the message fails).
 */
@Injectable()
export class SmtpTransport implements OnApplicationShutdown {
  private readonly transporter: Transporter;

  constructor(
    config: NotificationsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const url = new URL(config.SMTP_URL);
    this.transporter = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      pool: true,
      maxConnections: config.SMTP_POOL_SIZE,
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 20_000,
    });
  }

  /** Sends a message rendered by `renderMessage` (nodemailer takes it as is). */
  async send(message: RawMessage): Promise<SendOutcome> {
    try {
      // The Message-ID given, nodemailer need not make one up for its logs (random bytes it would throw away).
      const info = await this.transporter.sendMail({ envelope: message.envelope, messageId: message.messageId, raw: message.raw });
      return { kind: 'sent', response: String(info.response ?? '') };
    } catch (error) {
      const e = error as { responseCode?: number; response?: string; code?: string; message: string };
      const detail = e.response ?? `${e.code ? `${e.code}: ` : ''}${e.message}`;
      if (typeof e.responseCode === 'number' && e.responseCode >= 500) return { kind: 'failed', error: detail };
      this.logger.warn({ code: e.code, responseCode: e.responseCode }, 'SMTP attempt failed; will retry');
      return { kind: 'retry', error: detail };
    }
  }

  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
