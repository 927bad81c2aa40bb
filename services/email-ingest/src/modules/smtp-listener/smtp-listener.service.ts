import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import { InboundEmailsService } from '../inbound-emails/inbound-emails.service.js';
import { deliveryHeaders, domainOf } from './delivery-headers.js';
import { byteSize } from './byte-size.js';

/** An SMTP reply to the client: smtp-server answers with `responseCode` and the message. */
function reply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The inbound SMTP listener: a shop points an MX or a forwarding rule at it. It accepts mail
 * only for INBOUND_SMTP_DOMAINS (never a relay), takes no AUTH (it is an MX), and answers 250
 * only once the raw message is stored: a failure to store is 451, and the sender retries.
 * On only when INBOUND_SMTP_PORT is set; each replica listens on its own host.
 */
@Injectable()
export class SmtpListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server?: SMTPServer;
  private readonly sizeLimit: number;
  private readonly domains: ReadonlySet<string>;
  private readonly hostname: string;

  constructor(
    private readonly config: EmailIngestConfig,
    private readonly emails: InboundEmailsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sizeLimit = byteSize(config.EMAIL_BODY_LIMIT);
    this.domains = new Set(config.INBOUND_SMTP_DOMAINS);
    this.hostname = config.INBOUND_SMTP_HOSTNAME ?? os.hostname();
  }

  /** The bound port (the configured one; tests read it). */
  get port(): number | undefined {
    const address = this.server?.server.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.INBOUND_SMTP_PORT === 0) return;
    const tls = this.tlsFiles();
    const server = new SMTPServer({
      name: this.hostname,
      banner: 'Careflow inbound mail',
      logger: false,
      // An MX: no AUTH; STARTTLS only with a certificate.
      authOptional: true,
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...(tls ?? {}),
      size: this.sizeLimit,
      maxClients: this.config.INBOUND_SMTP_MAX_CLIENTS,
      socketTimeout: this.config.INBOUND_SMTP_SOCKET_TIMEOUT_MS,
      closeTimeout: 5_000,
      // Reverse lookups would put DNS latency on every connection; Received: carries the address.
      disableReverseLookup: true,
      // smtp-server would pick 5.1.1 for every 550; replies written here carry their own code.
      hideENHANCEDSTATUSCODES: true,
      onRcptTo: (address, session, callback) => callback(this.refuseRecipient(address, session)),
      onData: (stream, session, callback) => this.receive(stream, session, callback),
    });
    server.on('error', (error) => this.logger.warn({ err: error }, 'inbound SMTP connection error'));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.server.once('error', onError);
      server.listen(this.config.INBOUND_SMTP_PORT, this.config.INBOUND_SMTP_HOST ?? this.config.HOST, () => {
        server.server.removeListener('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.logger.info(
      { host: this.config.INBOUND_SMTP_HOST ?? this.config.HOST, port: this.port, domains: [...this.domains], starttls: Boolean(tls) },
      'inbound SMTP listening',
    );
  }

  /** Stops taking connections and lets transactions in flight finish (up to closeTimeout) before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private tlsFiles(): { key: Buffer; cert: Buffer } | undefined {
    const { INBOUND_SMTP_TLS_CERT: certFile, INBOUND_SMTP_TLS_KEY: keyFile } = this.config;
    if (!certFile || !keyFile) return undefined;
    // Read once at start: an unreadable file stops the service here, not at the first STARTTLS.
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  }

  private refuseRecipient(address: SMTPServerAddress, session: SMTPServerSession): Error | undefined {
    if (!this.domains.has(domainOf(address.address))) return reply(550, '5.7.1 Relay access denied: this server takes mail for its own domains only');
    const known = session.envelope.rcptTo.some((r) => r.address.toLowerCase() === address.address.toLowerCase());
    if (!known && session.envelope.rcptTo.length >= this.config.INBOUND_SMTP_MAX_RECIPIENTS) return reply(452, '4.5.3 Too many recipients; send the rest in another transaction');
    return undefined;
  }

  private receive(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped: the answer is 552 whatever follows.
      if (size <= this.sizeLimit) chunks.push(chunk);
    });
    stream.once('error', (error: Error) => {
      failed = true;
      this.logger.warn({ err: error, session: session.id }, 'inbound SMTP data stream failed');
      callback(reply(451, '4.3.0 Could not read the message; try again later'));
    });
    stream.once('end', () => {
      if (failed) return;
      if (stream.sizeExceeded || size > this.sizeLimit) {
        callback(reply(552, `5.3.4 Message exceeds the fixed maximum message size of ${this.sizeLimit} bytes`));
        return;
      }
      const trace = deliveryHeaders({
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        recipients: session.envelope.rcptTo.map((r) => r.address),
        helo: session.hostNameAppearsAs ?? '',
        remoteAddress: session.remoteAddress,
        hostname: this.hostname,
        transmission: session.secure ? 'ESMTPS' : session.openingCommand === 'HELO' ? 'SMTP' : 'ESMTP',
        sessionId: session.id,
        receivedAt: new Date(),
      });
      this.emails.receive(Buffer.concat([trace, ...chunks]), 'smtp').then(
        ({ id }) => callback(null, `2.6.0 Message accepted as ${id}`),
        (error: unknown) => {
          this.logger.error({ err: error, session: session.id }, 'inbound SMTP message could not be stored; answered 451');
          callback(reply(451, '4.3.0 The message could not be stored; try again later'));
        },
      );
    });
  }
}
