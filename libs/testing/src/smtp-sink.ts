import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { eventually } from './eventually.js';

export interface CaughtMail {
  envelope: { from: string | false; to: string[] };
  raw: string;
  /** Parsed with mailparser (an empty object when the sink was started with `parse: false`). */
  parsed: ParsedMail;
  receivedAt: number;
}

export type SinkMode = 'accept' | { rejectWith: number; message: string };

/**
 * A real SMTP server for tests: it accepts mail over TCP like any relay, keeps what it got,
 * and can be told to answer with a 4xx or 5xx or be stopped, to test retries and failures.
 */
export class SmtpSink {
  readonly messages: CaughtMail[] = [];
  /** Errors of senders' connections (e.g. a reset mid-transaction); they never fail the sink. */
  readonly connectionErrors: Error[] = [];
  private mode: SinkMode = 'accept';
  private readonly recipientRules = new Map<string, { code: number; message: string; left: number }>();
  private readonly rcptCounts = new Map<string, number>();
  private server?: SMTPServer;
  port = 0;

  /** `parse: false` skips mailparser (benchmarks: only who got mail, and when). */
  constructor(private readonly parse = true) {}

  static async start(port = 0, options: { parse?: boolean } = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options.parse ?? true);
    await sink.listen(port);
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  setMode(mode: SinkMode): void {
    this.mode = mode;
  }

  /**
   * Answers RCPT TO for one address with `code` (a 4xx: try later, as greylisting does; a 5xx:
   * refused) the next `times` times, then accepts it again.
   */
  rejectRecipient(address: string, code: number, message: string, times = Number.POSITIVE_INFINITY): void {
    this.recipientRules.set(address.toLowerCase(), { code, message, left: times });
  }

  /** Times RCPT TO named the address (accepted or not): how often a sender tried it. */
  recipientAttempts(address: string): number {
    return this.rcptCounts.get(address.toLowerCase()) ?? 0;
  }

  private listen(port: number): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address: { address: string }, _session: SMTPServerSession, callback: (error?: Error | null) => void) => {
        const key = address.address.toLowerCase();
        this.rcptCounts.set(key, (this.rcptCounts.get(key) ?? 0) + 1);
        const rule = this.recipientRules.get(key);
        if (rule && rule.left > 0) {
          rule.left--;
          callback(Object.assign(new Error(rule.message), { responseCode: rule.code }));
          return;
        }
        callback();
      },
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.mode !== 'accept') {
            const error = Object.assign(new Error(this.mode.message), { responseCode: this.mode.rejectWith });
            callback(error);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const receivedAt = Date.now();
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
            to: session.envelope.rcptTo.map((r) => r.address),
          } as const;
          if (!this.parse) {
            this.messages.push({ envelope: { ...envelope, to: [...envelope.to] }, raw, parsed: {} as ParsedMail, receivedAt });
            callback();
            return;
          }
          simpleParser(raw).then(
            (parsed) => {
              this.messages.push({ envelope: { ...envelope, to: [...envelope.to] }, raw, parsed, receivedAt });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    const server = this.server;
    return new Promise((resolve, reject) => {
      let listening = false;
      // SMTPServer re-emits a connection's socket errors as its own 'error' event, and one with
      // no listener is an uncaught exception. A sender that hangs up mid-transaction (a stack
      // stopped while its worker still has a connection open) is the sender's business, not a
      // failure of the sink: it is kept for tests to look at. Only a failure to listen rejects.
      server.on('error', (error: Error) => {
        if (listening) this.connectionErrors.push(error);
        else reject(error);
      });
      server.listen(port, '127.0.0.1', () => {
        listening = true;
        this.port = (server.server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  to(address: string): CaughtMail[] {
    return this.messages.filter((m) => m.envelope.to.includes(address.toLowerCase()) || m.envelope.to.includes(address));
  }

  async waitFor(predicate: (m: CaughtMail) => boolean, timeoutMs = 10_000): Promise<CaughtMail> {
    return eventually(() => {
      const found = this.messages.find(predicate);
      if (!found) throw new Error(`no matching mail among ${this.messages.length}`);
      return found;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Starts again on the same port (after stop()), as a relay coming back does. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }
}
