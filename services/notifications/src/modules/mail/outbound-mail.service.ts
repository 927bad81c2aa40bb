import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationsConfig } from '../../config/notifications.config.js';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';
import { domainOf, generateMessageId, referencesChain } from './mail-composer.js';
import type { NewOutboundMessage } from './outbound-message.record.js';
import { OutboundMessagesRepository } from './outbound-messages.repository.js';
import { chooseLocale, renderMail, type MailKind, type MailParams } from './templates.js';

export interface MailRequest<K extends MailKind = MailKind> {
  kind: K;
  /** One message per business fact, e.g. `shipment:<id>:delivered`: asking twice sends once. */
  dedupeKey: string;
  to: { address: string | null; name: string | null };
  locale: string | null;
  customerExternalId: string | null;
  params: Omit<MailParams<K>, 'shopName'>;
  /** Why the message must not go out (no address, the address bounces): logged as suppressed. */
  suppressedBecause?: string | null;
  ticketId?: string | null;
  shipmentId?: string | null;
  replyTo?: string | null;
  /** Message-IDs of the earlier messages of the same conversation, oldest first. */
  thread?: string[];
}

/**
 * Who gets a customer's mail and in which language: what the event says, else the customer
 * projection; and why not, when the customer's address is known to bounce.
 */
export function recipientFor(
  customer: CustomerProjectionRecord | null,
  given: { email?: string | null; name?: string | null; locale?: string | null } = {},
): Pick<MailRequest, 'to' | 'locale' | 'suppressedBecause'> {
  return {
    to: { address: given.email || customer?.email || null, name: given.name ?? customer?.name ?? null },
    locale: given.locale ?? customer?.locale ?? null,
    suppressedBecause: customer?.undeliverableReason ? `the customer's address is undeliverable: ${customer.undeliverableReason}` : null,
  };
}

/**
 * Every e-mail of the product is recorded through here: rendered from its template in the
 * customer's language, given its Message-ID (threading needs it before sending), and logged
 * with the job that sends it (`OutboundMessagesRepository`).
 */
@Injectable()
export class OutboundMailService {
  private readonly domain: string;

  constructor(
    private readonly config: NotificationsConfig,
    private readonly messages: OutboundMessagesRepository,
  ) {
    this.domain = domainOf(config.MAIL_FROM);
  }

  /** Records a message and its send job; null when the message was recorded before (its dedupe key). */
  async queue<K extends MailKind>(db: EntityManager, m: MailRequest<K>): Promise<{ id: string; queued: boolean } | null> {
    const mail = this.prepare(m);
    const status = await this.messages.insert(db, mail);
    return status ? { id: mail.id, queued: status === 'queued' } : null;
  }

  /** Records messages (each in the context of its own request) and their send job, in one statement. */
  async queueMany(db: EntityManager, requests: ReadonlyArray<{ mail: MailRequest<MailKind>; requestId: string | null }>): Promise<void> {
    await this.messages.insertMany(db, requests.map((r) => ({ mail: this.prepare(r.mail), requestId: r.requestId })));
  }

  /**
   * Renders the message in the customer's language and gives it its ids; nothing is written
   * (statements that decide whether a notice is due write it: `OutboundMessagesRepository.insertSql`).
   */
  prepare<K extends MailKind>(m: MailRequest<K>): NewOutboundMessage {
    const locale = chooseLocale(m.locale);
    const rendered = renderMail(m.kind, locale, { ...m.params, shopName: this.config.SHOP_NAME } as MailParams<K>);
    const thread = m.thread ?? [];
    const suppressed = m.suppressedBecause ?? (m.to.address ? null : 'no e-mail address is known for this customer');
    return {
      id: randomUUID(), template: m.kind, locale, toAddress: m.to.address, toName: m.to.name, customerExternalId: m.customerExternalId,
      subject: rendered.subject, textBody: rendered.text, htmlBody: rendered.html, replyTo: m.replyTo ?? null,
      messageId: generateMessageId(this.domain, m.ticketId), inReplyTo: thread.at(-1) ?? null, references: referencesChain(thread),
      ticketId: m.ticketId ?? null, shipmentId: m.shipmentId ?? null, dedupeKey: m.dedupeKey,
      status: suppressed ? 'suppressed' : 'queued', error: suppressed,
    };
  }
}
