import type { NotificationStatus } from '@careflow/contracts';
import type { MailKind } from './templates.js';

/** An outbound message (one row of the message log): every e-mail the product sends. */
export interface OutboundMessageRecord {
  id: string;
  channel: 'email';
  template: MailKind;
  locale: string;
  toAddress: string | null;
  toName: string | null;
  customerExternalId: string | null;
  subject: string;
  textBody: string;
  htmlBody: string;
  replyTo: string | null;
  messageId: string;
  inReplyTo: string | null;
  /** Message-IDs of the conversation, oldest first. */
  references: string[];
  ticketId: string | null;
  shipmentId: string | null;
  /** One message per business fact: a status of a shipment, a ticket's acknowledgement, a comment. */
  dedupeKey: string;
  status: NotificationStatus;
  /** Why it failed or was suppressed (or why its last attempt was deferred). */
  error: string | null;
  attempts: number;
  /** Set while an SMTP attempt is under way, cleared when its outcome is known. */
  attemptStartedAt: Date | null;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A message as it is first recorded: rendered and given its ids; Postgres adds the rest. */
export type NewOutboundMessage = Omit<OutboundMessageRecord, 'channel' | 'status' | 'attempts' | 'attemptStartedAt' | 'sentAt' | 'createdAt' | 'updatedAt'> & {
  /** Suppressed messages are logged with the reason (`error`) and never sent. */
  status: 'queued' | 'suppressed';
};

/** A message still waiting to be sent: it has an address (one without is suppressed when recorded). */
export type QueuedMessageRecord = OutboundMessageRecord & { toAddress: string };
