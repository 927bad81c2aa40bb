import { assertNever } from '@careflow/contracts';
import type { Logger } from '@careflow/platform';
import type { ImapFlow } from 'imapflow';
import type { EmailIngestConfig } from '../../config/email-ingest.config.js';
import type { InboundEmailsService } from '../inbound-emails/inbound-emails.service.js';
import { describeImapError, imapOptions, openImapClient, retryDelay } from './imap-connection.js';
import type { MailboxSecrets } from './mailbox-secrets.js';
import type { MailboxForFetch } from './mailbox.record.js';
import type { MailboxesRepository } from './mailboxes.repository.js';

export interface MailboxFetcherDeps {
  mailboxes: MailboxesRepository;
  emails: InboundEmailsService;
  secrets: MailboxSecrets;
  config: EmailIngestConfig;
  logger: Logger;
}

/** UIDs asked about in one FETCH (sizes), so a large backlog does not make one huge command line. */
const BATCH = 200;

/** EMAIL_BODY_LIMIT (`25mb`, `512kb`) in bytes. */
export function bodyLimitBytes(limit: string): number {
  const m = /^(\d+)(kb|mb)$/.exec(limit);
  if (!m) return 25 * 1024 * 1024;
  return Number(m[1]) * (m[2] === 'mb' ? 1024 * 1024 : 1024);
}

/**
 * Fetches one mailbox while this replica holds its lease: connect, open the folder, hand every
 * new message to the inbound door, then mark, move or delete it; wait for the server's push
 * (IDLE) or the poll interval; on any failure record it on the mailbox and reconnect after an
 * exponential backoff. Nothing here throws out of the loop: a wrong password is a state of
 * the mailbox, not a crash.
 *
 * Crash safety: a message is marked, moved or deleted only after `receive()` committed its raw
 * bytes, and `last_uid` moves past it only after that. A process that dies in between fetches
 * the message again on the next start and stores it again; the duplicate rule of processing
 * (its Message-ID or content hash) absorbs the second copy.
 */
export class MailboxFetcher {
  readonly version: number;
  private stopped = false;
  private client?: ImapFlow;
  /** New mail was announced (EXISTS) or the connection changed while we were busy. */
  private mailPending = false;
  private wakeUp?: () => void;
  private readonly done: Promise<void>;
  private readonly maxBytes: number;

  constructor(
    private readonly mailbox: MailboxForFetch,
    private readonly deps: MailboxFetcherDeps,
  ) {
    this.version = mailbox.version;
    this.maxBytes = bodyLimitBytes(deps.config.EMAIL_BODY_LIMIT);
    this.done = this.run();
  }

  get id(): string {
    return this.mailbox.id;
  }

  /** Closes the connection and ends the loop; resolves when it has. */
  stop(): Promise<void> {
    this.stopped = true;
    this.client?.close();
    this.wakeUp?.();
    return this.done;
  }

  private async run(): Promise<void> {
    const { config, mailboxes, logger } = this.deps;
    let failures = this.mailbox.consecutiveFailures;
    // A failing mailbox keeps its backoff across restarts and takeovers: no burst of attempts.
    if (failures > 0 && this.mailbox.lastErrorAt) {
      const due = this.mailbox.lastErrorAt.getTime() + retryDelay(failures, config.MAILBOX_RETRY_BASE_MS, config.MAILBOX_RETRY_MAX_MS);
      await this.pause(due - Date.now());
    }
    while (!this.stopped) {
      try {
        await this.session();
      } catch (error) {
        if (this.stopped) break;
        const message = describeImapError(error);
        try {
          failures = await mailboxes.recordFailure(this.mailbox.id, message);
        } catch (recordError) {
          failures++;
          logger.warn({ err: recordError, mailboxId: this.mailbox.id }, 'recording a mailbox failure failed');
        }
        const wait = retryDelay(failures, config.MAILBOX_RETRY_BASE_MS, config.MAILBOX_RETRY_MAX_MS);
        logger.warn({ mailboxId: this.mailbox.id, failures, retryInMs: wait, error: message }, 'mailbox fetch failed');
        await this.pause(wait);
      }
    }
  }

  /** One connection: returns when stopped, throws on any failure (the caller backs off). */
  private async session(): Promise<void> {
    const { mailboxes, secrets, config } = this.deps;
    const m = this.mailbox;
    const credential = secrets.decrypt(m.id, m.secret.ciphertext, m.secret.keyId);
    await mailboxes.setState(m.id, 'connecting');
    const client = openImapClient(imapOptions(m, credential, config.MAILBOX_CONNECT_TIMEOUT_MS));
    this.client = client;
    let failure: unknown;
    let closed = false;
    // imapflow emits 'error' for socket failures: without a listener Node would end the process
    client.on('error', (error: unknown) => {
      failure ??= error;
      this.wake();
    });
    client.on('close', () => {
      closed = true;
      this.wake();
    });
    client.on('exists', () => this.wake());
    try {
      if (this.stopped) return;
      await client.connect();
      try {
        await client.mailboxOpen(m.folder);
      } catch (error) {
        throw new Error(`cannot open folder ${JSON.stringify(m.folder)}: ${describeImapError(error)}`);
      }
      const pushes = client.capabilities.has('IDLE');
      while (!this.stopped) {
        this.mailPending = false;
        await mailboxes.markFetchStarted(m.id);
        await this.drain(client);
        if (this.stopped) return;
        await mailboxes.recordSuccess(m.id, pushes ? 'idle' : 'polling');
        // IDLE starts by itself once the connection is quiet; EXISTS (new mail) wakes us early
        await this.waitForMail(m.pollSeconds * 1000);
        if (this.stopped) return;
        if (failure) throw failure;
        if (closed) throw new Error('the server closed the connection');
      }
    } finally {
      this.client = undefined;
      client.close();
    }
  }

  /** Everything above the last handled UID (unseen only, for afterFetch `seen`), oldest first. */
  private async drain(client: ImapFlow): Promise<void> {
    const { mailboxes } = this.deps;
    const m = this.mailbox;
    const opened = client.mailbox;
    if (!opened) throw new Error(`folder ${JSON.stringify(m.folder)} is not open`);
    const uidValidity = BigInt(opened.uidValidity);
    if (m.uidValidity !== uidValidity) {
      // first fetch, or the server renumbered the folder: UIDs start over
      await mailboxes.resetPosition(m.id, uidValidity);
      m.uidValidity = uidValidity;
      m.lastUid = 0;
    }
    const range = `${m.lastUid + 1}:*`;
    const found = await client.search(m.afterFetch === 'seen' ? { seen: false, uid: range } : { uid: range }, { uid: true });
    if (!found) throw new Error(`searching ${JSON.stringify(m.folder)} failed`);
    // `n:*` always names the highest message, even below n
    const uids = found.filter((uid) => uid > m.lastUid).sort((a, b) => a - b);
    for (let i = 0; i < uids.length && !this.stopped; i += BATCH) {
      const batch = uids.slice(i, i + BATCH);
      const sizes = new Map((await client.fetchAll(batch.join(','), { uid: true, size: true }, { uid: true })).map((f) => [f.uid, f.size ?? 0]));
      for (const uid of batch) {
        if (this.stopped) return;
        const size = sizes.get(uid);
        if (size === undefined) continue; // expunged meanwhile
        if (size > this.maxBytes) {
          await mailboxes.recordNotice(m.id, `message UID ${uid} (${size} bytes) is over EMAIL_BODY_LIMIT (${this.deps.config.EMAIL_BODY_LIMIT}); left in ${m.folder}`);
        } else {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!message || !message.source) continue;
          await this.deps.emails.receive(message.source, 'imap', m.id);
          // Only now, with the raw bytes committed: a crash before this line fetches it again.
          await this.afterStored(client, uid);
        }
        await mailboxes.recordHandled(m.id, uidValidity, uid, size <= this.maxBytes);
        m.lastUid = uid;
      }
    }
  }

  private async afterStored(client: ImapFlow, uid: number): Promise<void> {
    const m = this.mailbox;
    const range = String(uid);
    switch (m.afterFetch) {
      case 'seen':
        if (!(await client.messageFlagsAdd(range, ['\\Seen'], { uid: true }))) throw new Error(`message UID ${uid} was stored but flagging it \\Seen failed`);
        return;
      case 'move':
        if (!(await client.messageMove(range, m.moveTo!, { uid: true }))) {
          throw new Error(`message UID ${uid} was stored but moving it to ${JSON.stringify(m.moveTo)} failed (does the folder exist?)`);
        }
        return;
      case 'delete':
        if (!(await client.messageDelete(range, { uid: true }))) throw new Error(`message UID ${uid} was stored but deleting it failed`);
        return;
      default:
        assertNever(m.afterFetch);
    }
  }

  private wake(): void {
    this.mailPending = true;
    this.wakeUp?.();
  }

  /** Waits up to `ms`, less when new mail is announced (or was while we were busy) or on stop. */
  private waitForMail(ms: number): Promise<void> {
    if (this.mailPending || this.stopped) return Promise.resolve();
    return this.sleep(ms);
  }

  /** Waits `ms`, less only on stop (a backoff is not cut short by mail). */
  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return this.sleep(ms, true);
  }

  private sleep(ms: number, stopOnly = false): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeUp = stopOnly ? () => this.stopped && finish() : finish;
    });
  }
}
