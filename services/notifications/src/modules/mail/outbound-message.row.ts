import type { MailKind } from './templates.js';

/** A row of notifications.outbound_messages as it is written when a message is recorded. */
export interface NewOutboundMessageRow {
  id: string;
  template: MailKind;
  locale: string;
  to_address: string | null;
  to_name: string | null;
  customer_external_id: string | null;
  subject: string;
  text_body: string;
  html_body: string;
  reply_to: string | null;
  message_id: string;
  in_reply_to: string | null;
  references: string[];
  ticket_id: string | null;
  shipment_id: string | null;
  dedupe_key: string;
  status: 'queued' | 'suppressed';
  error: string | null;
}

/** The row as the mail worker reads it back: a message being sent has an address. */
export interface OutboundMessageRow extends Omit<NewOutboundMessageRow, 'to_address' | 'status'> {
  to_address: string;
  status: 'queued' | 'sent' | 'failed' | 'suppressed';
  attempt_started_at: Date | null;
}
