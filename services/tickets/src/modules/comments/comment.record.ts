import type { AttachmentRef, CommentAuthor, InboundMailContext } from '@careflow/contracts';

/** A comment as the comments repository returns it. */
export interface CommentRecord {
  id: string;
  ticketId: string;
  body: string;
  public: boolean;
  author: CommentAuthor;
  attachments: AttachmentRef[];
  createdAt: Date;
  /** `created_at` as Postgres prints it, for keyset cursors. */
  createdCursor: string;
}

/** A comment to add: what the API or an inbound e-mail brings. */
export interface NewComment {
  body: string;
  html?: string | null;
  public: boolean;
  author: CommentAuthor;
  attachments: AttachmentRef[];
  sourceInboundEmailId?: string | null;
  /** The e-mail the comment came in: a follow-up it opens announces it with `ticket.created`. */
  inboundMail?: InboundMailContext | null;
}
