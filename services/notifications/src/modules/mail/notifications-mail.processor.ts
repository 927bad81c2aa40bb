import { QueueName, assertNever, type MailSendItem, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime, type JobAttempt } from '@careflow/messaging';
import { StatementBatcher, type OutboxEvent } from '@careflow/persistence';
import { RequestContext, Semaphore } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { composeMail, InvalidRecipientError, renderMessage } from './mail-composer.js';
import type { QueuedMessageRecord } from './outbound-message.record.js';
import { OutboundMessagesRepository } from './outbound-messages.repository.js';
import { SmtpTransport } from './smtp-transport.js';

export const OUTCOME_UNKNOWN = 'delivery outcome unknown: an earlier attempt stopped in the middle of sending; not sent again, to avoid a duplicate';

interface Outcome {
  message: QueuedMessageRecord;
  status: 'sent' | 'failed';
  error: string | null;
  requestId: string | null;
}

/**
 * Sends recorded messages, the ones a `mail.send` job names. Each message's attempt is recorded
 * (committed) before its SMTP conversation starts and cleared once its outcome is known, so a
 * worker that dies while sending leaves a trace: the redelivered job finds it and marks the
 * message failed instead of sending it a second time (at most once in that window; at least
 * once for every failure whose outcome is known: connection errors and 4xx replies are retried
 * with backoff). The state is per message, so a job carrying many retries only those not done.
 *
 * The messages a worker sends at once share their round trips to Postgres: their claims go
 * out as one statement, and so do their outcomes (each with its notification event), without
 * changing what each message waits for.
 */
@Injectable()
export class NotificationsMailProcessor extends QueueWorker<typeof QueueName.NotificationsMail> {
  protected readonly queue = QueueName.NotificationsMail;
  protected override readonly transactional = false;
  private readonly claims = new StatementBatcher<string, QueuedMessageRecord | null>((ids) => this.claimAll(ids));
  private readonly outcomes = new StatementBatcher<Outcome, void>((outcomes) => this.recordAll(outcomes));
  /** Messages that could not be claimed and whose earlier attempt never recorded an outcome (a retried job names many). */
  private readonly unfinished = new StatementBatcher<string, QueuedMessageRecord | null>((ids) => this.unfinishedAmong(ids));
  /**
   * Messages between their claim and their recorded outcome, at most as many as jobs run at
   * once: a worker killed mid-send leaves no more messages in doubt than that, however many
   * messages its jobs carry.
   */
  private readonly sending: Semaphore;

  constructor(
    runtime: WorkerRuntime,
    private readonly smtp: SmtpTransport,
    private readonly messages: OutboundMessagesRepository,
    private readonly config: NotificationsConfig,
  ) {
    super(runtime);
    this.sending = new Semaphore(runtime.concurrency);
  }

  protected async handle(job: QueueJob<typeof QueueName.NotificationsMail>, db: EntityManager, attempt?: JobAttempt): Promise<void> {
    switch (job.name) {
      case 'mail.send':
        return this.sendAll(db, job.envelope.data.messages, attempt);
      default:
        assertNever(job.name);
    }
  }

  /**
   * Sends every message of the job, each in the context of the request it came from. When any
   * met a temporary failure the job fails after the others are done, so BullMQ retries it with
   * backoff; the retry sends only those, since each message's own state decides (the others are
   * sent, failed or in doubt by then, and their claim skips them).
   */
  private async sendAll(db: EntityManager, messages: readonly MailSendItem[], attempt?: JobAttempt): Promise<void> {
    const settled = await Promise.allSettled(
      messages.map((m) =>
        this.sending.run(() => RequestContext.run({ requestId: m.requestId ?? RequestContext.requestId() ?? `mail:${m.id}` }, () => this.send(db, m.id, attempt))),
      ),
    );
    const errors = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const temporary = settled.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
    if (errors.length > 0) throw errors[0];
    if (temporary.length > 0) {
      throw new Error(`SMTP temporarily unavailable for ${temporary.length} of ${messages.length} message(s): ${temporary[0]}`);
    }
  }

  /** Sends one message unless its state says otherwise; returns the error when it may be retried. */
  private async send(db: EntityManager, id: string, attempt?: JobAttempt): Promise<string | undefined> {
    const message = await this.claims.submit(id);
    if (!message) {
      const unfinished = await this.unfinished.submit(id);
      if (unfinished) await this.finish(unfinished, 'failed', OUTCOME_UNKNOWN);
      return; // already sent, failed or suppressed: nothing to do
    }
    let mail;
    try {
      mail = renderMessage(composeMail({
        from: this.config.MAIL_FROM,
        to: { address: message.toAddress, name: message.toName },
        replyTo: message.replyTo,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
        messageId: message.messageId,
        inReplyTo: message.inReplyTo,
        references: message.references,
        autoGenerated: message.template.startsWith('shipment_'),
      }));
    } catch (error) {
      // A message that cannot be sent as given will not be sent by retrying it.
      if (error instanceof InvalidRecipientError) return this.finish(message, 'failed', error.message);
      throw error;
    }
    const outcome = await this.smtp.send(mail);
    if (outcome.kind === 'sent') return this.finish(message, 'sent', null);
    if (outcome.kind === 'failed') return this.finish(message, 'failed', outcome.error);
    const last = attempt ? attempt.attemptsMade + 1 >= Math.min(attempt.attempts, this.config.MAIL_MAX_ATTEMPTS) : false;
    if (last) return this.finish(message, 'failed', `gave up after ${attempt!.attemptsMade + 1} attempts: ${outcome.error}`);
    // Outcome known (not sent): clear the attempt so the retry may send.
    await this.messages.releaseAttempt(db, id, outcome.error.slice(0, 2000));
    return outcome.error;
  }

  private async finish(message: QueuedMessageRecord, status: 'sent' | 'failed', error: string | null): Promise<undefined> {
    await this.outcomes.submit({ message, status, error: error?.slice(0, 2000) ?? null, requestId: RequestContext.requestId() ?? null });
  }

  /** Records the start of an attempt on each message still waiting to be sent; null for the others. */
  private async claimAll(ids: string[]): Promise<Array<QueuedMessageRecord | null>> {
    // The same message twice in one batch (a job delivered again): only one of them may send it.
    return eachRowOnce(ids, await this.messages.claimAttempts(ids));
  }

  /** Of the messages given, those still queued with an attempt started: a sender died in the middle. */
  private async unfinishedAmong(ids: string[]): Promise<Array<QueuedMessageRecord | null>> {
    // The same message twice in one batch: only one of them records the outcome.
    return eachRowOnce(ids, await this.messages.findUnfinished(ids));
  }

  /** Each message's outcome and its notification.sent / notification.failed event, in one statement. */
  private async recordAll(outcomes: Outcome[]): Promise<void[]> {
    const sentAt = new Date();
    const events: OutboxEvent[] = outcomes.map(({ message: m, status, error, requestId }) => ({
      event: status === 'sent' ? 'notification.sent' : 'notification.failed',
      payload: {
        id: m.id,
        channel: 'email',
        to: m.toAddress,
        template: m.template,
        status,
        error,
        messageId: m.messageId,
        customerExternalId: m.customerExternalId,
        sentAt: status === 'sent' ? sentAt : null,
      },
      requestId,
    }));
    await this.messages.recordOutcomes(outcomes.map(({ message, status, error }) => ({ id: message.id, status, error })), sentAt, events);
    return outcomes.map(() => undefined);
  }
}

/** Each id's row, in the order of `ids`, to the first time an id is asked for; null for the others. */
function eachRowOnce(ids: readonly string[], rows: readonly QueuedMessageRecord[]): Array<QueuedMessageRecord | null> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const row = byId.get(id) ?? null;
    byId.delete(id);
    return row;
  });
}
