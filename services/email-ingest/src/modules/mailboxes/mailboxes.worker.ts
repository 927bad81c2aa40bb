import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import { InboundEmailsService } from '../inbound-emails/inbound-emails.service.js';
import { MailboxFetcher } from './mailbox-fetcher.js';
import { MailboxSecrets } from './mailbox-secrets.js';
import { MailboxesRepository } from './mailboxes.repository.js';

/** How long stopping one fetcher may take before shutdown goes on without it. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Runs a fetcher for each mailbox this replica leads. Leadership is a lease in the mailbox row
 * (`lease_owner`, `lease_until`), claimed and renewed for all mailboxes in one UPDATE every
 * MAILBOX_SYNC_INTERVAL_MS: a mailbox whose lease is free or expired goes to whichever replica
 * asks first, the row lock decides between two asking at once. A replica that dies stops
 * renewing and another takes over after MAILBOX_LEASE_SECONDS; one that cannot reach Postgres
 * long enough for its leases to run out stops its fetchers. The same sync notices settings
 * changed (the row's version), disabled and deleted mailboxes, so no restart is needed.
 * A lease rather than an advisory lock: it needs no Postgres connection held per mailbox, and
 * it survives a pooled connection being recycled.
 */
@Injectable()
export class MailboxesWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly owner = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private readonly fetchers = new Map<string, MailboxFetcher>();
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private syncAgain = false;
  private renewedAt = 0;
  private stopping = false;

  constructor(
    private readonly mailboxes: MailboxesRepository,
    private readonly emails: InboundEmailsService,
    private readonly secrets: MailboxSecrets,
    private readonly config: EmailIngestConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.WORKERS_ENABLED) return;
    if (!this.secrets.configured) {
      this.logger.warn('MAILBOX_ENCRYPTION_KEY is not set: IMAP mailboxes are not fetched');
      return;
    }
    this.sync();
    this.timer = setInterval(() => this.sync(), this.config.MAILBOX_SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  /** A mailbox changed through this replica: apply it now rather than at the next sync. */
  changed(): void {
    if (this.timer) this.sync();
  }

  private sync(): void {
    if (this.stopping) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = this.reconcile()
      .catch(async (error: unknown) => {
        this.logger.warn({ err: error }, 'claiming mailboxes failed');
        if (Date.now() - this.renewedAt > this.config.MAILBOX_LEASE_SECONDS * 1000) await this.stopAll();
      })
      .finally(() => {
        this.syncing = undefined;
        if (this.syncAgain) {
          this.syncAgain = false;
          this.sync();
        }
      });
  }

  private async reconcile(): Promise<void> {
    const held = new Map((await this.mailboxes.claimLeases(this.owner, this.config.MAILBOX_LEASE_SECONDS)).map((h) => [h.id, h.version]));
    this.renewedAt = Date.now();
    const gone: string[] = [];
    for (const [id, fetcher] of this.fetchers) {
      if (held.get(id) === fetcher.version) continue;
      this.fetchers.delete(id);
      await this.stopFetcher(fetcher);
      if (!held.has(id)) gone.push(id);
    }
    // disabled or deleted here: let another replica have it at once when it comes back
    if (gone.length > 0) await this.mailboxes.releaseLeases(this.owner, gone);
    for (const id of held.keys()) {
      if (this.stopping) return;
      if (this.fetchers.has(id)) continue;
      const mailbox = await this.mailboxes.findForFetch(id);
      if (!mailbox || !mailbox.enabled) continue;
      this.fetchers.set(id, new MailboxFetcher(mailbox, { mailboxes: this.mailboxes, emails: this.emails, secrets: this.secrets, config: this.config, logger: this.logger }));
    }
  }

  private async stopFetcher(fetcher: MailboxFetcher): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([fetcher.stop(), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }

  private async stopAll(): Promise<void> {
    const running = [...this.fetchers.values()];
    this.fetchers.clear();
    await Promise.all(running.map((f) => this.stopFetcher(f)));
  }

  /** Before the database closes: stop fetching and hand the mailboxes to the other replicas. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    await this.stopAll();
    await this.mailboxes.releaseLeases(this.owner).catch((error: unknown) => this.logger.warn({ err: error }, 'releasing mailbox leases failed'));
  }
}
