import { QueueName, assertNever, type QueueJob, type TicketCommentAddedPayload, type TicketChangedPayload, type TicketSnapshot } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { CustomerErasure } from '../customer-erasure/customer-erasure.service.js';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { addressOf } from '../mail/mail-composer.js';
import { OutboundMailService, recipientFor, type MailRequest } from '../mail/outbound-mail.service.js';
import type { MailKind } from '../mail/templates.js';
import { OutboundMessagesRepository } from '../mail/outbound-messages.repository.js';
import { UndeliverableAddresses } from '../undeliverable-addresses/undeliverable-addresses.service.js';

/** The consumer of the notifications-incoming queue: the customer projection and erasures, and the ticket mail every customer gets. */
@Injectable()
export class NotificationsIncomingProcessor extends QueueWorker<typeof QueueName.NotificationsIncoming> {
  protected readonly queue = QueueName.NotificationsIncoming;

  constructor(
    runtime: WorkerRuntime,
    private readonly customers: CustomerProjectionRepository,
    private readonly erasure: CustomerErasure,
    private readonly mail: OutboundMailService,
    private readonly messages: OutboundMessagesRepository,
    private readonly config: NotificationsConfig,
    private readonly undeliverable: UndeliverableAddresses,
  ) {
    super(runtime);
  }

  protected async handle(job: QueueJob<typeof QueueName.NotificationsIncoming>, tx: EntityManager): Promise<void> {
    switch (job.name) {
      case 'customer.upserted':
        return this.customers.apply(tx, [job.envelope.data]);
      case 'customer.erased': {
        const scrubbed = await this.erasure.erase(tx, job.envelope.data);
        this.runtime.logger.info({ customer: job.envelope.data.externalId, messages: scrubbed }, 'customer erased');
        return;
      }
      case 'ticket.created':
        return this.handleBatch([job], tx);
      case 'inbound_email.bounced': {
        const { undeliverable, transient } = await this.undeliverable.applyBounce(tx, job.envelope.data);
        this.runtime.logger.info({ inboundEmailId: job.envelope.data.inboundEmailId, undeliverable, transient }, 'bounce recorded');
        return;
      }
      case 'ticket.comment_added':
        return this.reply(tx, job.envelope.data);
      default:
        assertNever(job);
    }
  }

  /**
   * Customers upserted together are projected by one statement. Tickets opened together are
   * acknowledged by one (each mail in the context of its request): every request is
   * acknowledged at once, with its number and the promised response time; one that came by
   * e-mail in the thread of the customer's message. Mailing-list mail is not answered
   * automatically: the acknowledgement is logged as suppressed, saying why.
   */
  protected override async handleBatch(jobs: ReadonlyArray<QueueJob<typeof QueueName.NotificationsIncoming>>, tx: EntityManager): Promise<void> {
    const upserted = jobs.flatMap((job) => (job.name === 'customer.upserted' ? [job.envelope.data] : []));
    if (upserted.length === jobs.length) return this.customers.apply(tx, upserted);
    const created = jobs.flatMap((job) => (job.name === 'ticket.created' ? [job] : []));
    if (created.length < jobs.length) return super.handleBatch(jobs, tx) as Promise<void>;
    const mails: Array<{ mail: MailRequest<MailKind>; requestId: string | null }> = [];
    for (const job of created) {
      const mail = await this.acknowledgement(tx, job.envelope.data);
      if (mail) mails.push({ mail, requestId: job.envelope.requestId ?? null });
    }
    await this.mail.queueMany(tx, mails);
  }

  /** The acknowledgement of a new ticket; null when its customer was erased since. */
  private async acknowledgement(tx: EntityManager, { ticket, inboundMail }: TicketChangedPayload): Promise<MailRequest<'ticket_acknowledged'> | null> {
    const customer = await this.customers.find(tx, ticket.customer.externalId);
    if (erasedSince(customer, ticket)) return null;
    const recipient = recipientFor(customer, ticket.customer);
    return {
      kind: 'ticket_acknowledged',
      dedupeKey: `ticket:${ticket.id}:acknowledged`,
      ...recipient,
      suppressedBecause: inboundMail?.acknowledge === false ? NO_AUTOMATIC_ANSWER : recipient.suppressedBecause,
      customerExternalId: ticket.customer.externalId,
      ticketId: ticket.id,
      ...(inboundMail ? { thread: [inboundMail.messageId] } : {}),
      replyTo: ticket.groupAddress ?? addressOf(this.config.MAIL_FROM),
      params: {
        customerName: ticket.customer.name,
        ticketNumber: ticket.number,
        subject: ticket.subject,
        firstResponseDueAt: ticket.firstResponseDueAt ?? ticket.createdAt,
      },
    };
  }

  /** A public agent comment goes to the customer, threaded under the ticket's earlier mail. */
  private async reply(tx: EntityManager, { ticket, comment }: TicketCommentAddedPayload): Promise<void> {
    if (!comment.public || comment.author.type !== 'agent') return;
    const customer = await this.customers.find(tx, ticket.customer.externalId);
    if (erasedSince(customer, ticket)) return;
    await this.mail.queue(tx, {
      kind: 'ticket_reply',
      dedupeKey: `comment:${comment.id}`,
      ...recipientFor(customer, ticket.customer),
      customerExternalId: ticket.customer.externalId,
      ticketId: ticket.id,
      replyTo: ticket.groupAddress ?? addressOf(this.config.MAIL_FROM),
      thread: await this.messages.ticketThread(tx, ticket.id),
      params: {
        customerName: ticket.customer.name,
        ticketNumber: ticket.number,
        subject: ticket.subject,
        body: comment.body,
        agentName: comment.author.name,
      },
    });
  }
}

/** Why a ticket opened from mailing-list mail gets no acknowledgement. */
export const NO_AUTOMATIC_ANSWER = 'mailing-list mail gets no automatic answer (RFC 3834)';

/**
 * Whether the ticket's customer was erased after the ticket was opened: its events were queued
 * before the erasure reached tickets, and still carry the address and the subject. Mail about
 * it would write them into the log again (and reach a person who asked to be forgotten). A
 * ticket opened after the erasure is a new request, and is answered.
 */
function erasedSince(customer: CustomerProjectionRecord | null, ticket: TicketSnapshot): boolean {
  return customer?.erasedAt != null && ticket.createdAt.getTime() <= customer.erasedAt.getTime();
}
