import type { AttachmentRef, CommentAuthor } from '@careflow/contracts';

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
}
