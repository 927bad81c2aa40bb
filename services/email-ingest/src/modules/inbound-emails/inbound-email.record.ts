import type { InboundEmailStatus } from '@careflow/contracts';

/** How a message reached Careflow. */
export const InboundSource = ['api', 'mailgun', 'postmark', 'imap', 'smtp'] as const;
export type InboundSource = (typeof InboundSource)[number];

/** A stored inbound message as the API shows it (without its raw bytes). */
export interface InboundEmailRecord {
  id: string;
  source: InboundSource;
  mailboxId: string | null;
  rawSize: number;
  status: InboundEmailStatus;
  reason: string | null;
  messageId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  textBody: string | null;
  strippedText: string | null;
  htmlBody: string | null;
  duplicateOf: string | null;
  ticketId: string | null;
  ticketNumber: number | null;
  commentId: string | null;
  receivedAt: Date;
  parsedAt: Date | null;
  processedAt: Date | null;
  attachments: AttachmentRecord[];
  /** The receipt time with microseconds, for cursors. */
  receivedCursor: string;
}

export interface AttachmentRecord {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  /** Why the content was not kept (over a cap); null when it was. */
  omitted: string | null;
}

/** What parsing found, written beside the raw bytes. */
export interface ParsedFields {
  messageId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  textBody: string | null;
  strippedText: string | null;
  htmlBody: string | null;
}

export interface NewAttachment {
  id: string;
  position: number;
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  content: Uint8Array | null;
  omitted: string | null;
}

/** A final status and what goes with it. */
export interface Outcome {
  status: Exclude<InboundEmailStatus, 'queued'>;
  reason: string | null;
  duplicateOf?: string | null;
  ticketId?: string | null;
  ticketNumber?: number | null;
  commentId?: string | null;
}

export interface InboundEmailFilter {
  limit: number;
  cursor?: string;
  status?: InboundEmailStatus;
  from?: string;
}
