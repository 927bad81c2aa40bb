import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationsConfig } from '../../config/notifications.config.js';
import type { Contact } from '../customers/contact-projection.service.js';
import { domainOf, generateMessageId, referencesChain } from './mail-composer.js';
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
 * Who gets a customer's mail and in which language: what the event says, else the contact
 * projection; and why not, when the customer's address is known to bounce.
 */
export function recipientFor(
  contact: Contact | null,
  given: { email?: string | null; name?: string | null; locale?: string | null } = {},
): Pick<MailRequest, 'to' | 'locale' | 'suppressedBecause'> {
  return {
    to: { address: given.email || contact?.email || null, name: given.name ?? contact?.name ?? null },
    locale: given.locale ?? contact?.locale ?? null,
    suppressedBecause: contact?.undeliverableReason ? `the customer's address is undeliverable: ${contact.undeliverableReason}` : null,
  };
}

/**
 * Records an outbound message and, in the same transaction, the job that sends it. Every
 * e-mail of the product goes through here: rendered from its template in the customer's
 * language, given its Message-ID (threading needs it before sending), logged.
 */
@Injectable()
export class OutboundMailService {
  private readonly domain: string;

  constructor(
    private readonly config: NotificationsConfig,
    private readonly outbox: Outbox,
  ) {
    this.domain = domainOf(config.MAIL_FROM);
  }

  async queue<K extends MailKind>(tx: EntityManager, m: MailRequest<K>): Promise<{ id: string; queued: boolean } | null> {
    const locale = chooseLocale(m.locale);
    const rendered = renderMail(m.kind, locale, { ...m.params, shopName: this.config.SHOP_NAME } as MailParams<K>);
    const thread = m.thread ?? [];
    const suppressed = m.suppressedBecause ?? (m.to.address ? null : 'no e-mail address is known for this customer');
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO notifications.outbound_messages (template, locale, to_address, to_name, customer_external_id, subject, text_body, html_body,
         reply_to, message_id, in_reply_to, "references", ticket_id, shipment_id, dedupe_key, status, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [
        m.kind, locale, m.to.address, m.to.name, m.customerExternalId, rendered.subject, rendered.text, rendered.html,
        m.replyTo ?? null, generateMessageId(this.domain), thread.at(-1) ?? null, referencesChain(thread),
        m.ticketId ?? null, m.shipmentId ?? null, m.dedupeKey, suppressed ? 'suppressed' : 'queued', suppressed,
      ],
    );
    const id = rows[0]?.id;
    if (!id) return null;
    if (!suppressed) await this.outbox.enqueue(tx, 'mail.send', { outboundMessageId: id });
    return { id, queued: !suppressed };
  }

  /** Message-IDs already sent or queued for a ticket, oldest first: the thread to reply into. */
  async ticketThread(tx: EntityManager, ticketId: string): Promise<string[]> {
    const rows: Array<{ message_id: string }> = await tx.query(
      `SELECT message_id FROM notifications.outbound_messages WHERE ticket_id = $1 AND status <> 'suppressed' ORDER BY created_at, id`,
      [ticketId],
    );
    return rows.map((r) => r.message_id);
  }
}
