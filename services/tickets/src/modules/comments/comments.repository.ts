import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { commentSearchVector } from '../tickets/search-terms.js';
import type { CommentRecord, NewComment } from './comment.record.js';

interface CommentRow {
  id: string;
  ticket_id: string;
  body: string;
  public: boolean;
  author_type: CommentRecord['author']['type'];
  author_id: string | null;
  author_email: string | null;
  author_name: string | null;
  attachments: CommentRecord['attachments'];
  created_at: Date;
  cursor_at: string;
}

const COLUMNS = `id, ticket_id, body, public, author_type, author_id, author_email, author_name, attachments, created_at, created_at::text AS cursor_at`;

function toRecord(r: CommentRow): CommentRecord {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    body: r.body,
    public: r.public,
    author: { type: r.author_type, id: r.author_id, email: r.author_email, name: r.author_name },
    attachments: r.attachments,
    createdAt: r.created_at,
    createdCursor: r.cursor_at,
  };
}

@Injectable()
export class CommentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(tx: EntityManager, ticketId: string, c: NewComment): Promise<CommentRecord> {
    const rows: CommentRow[] = await tx.query(
      `INSERT INTO tickets.comments (ticket_id, body, html, public, author_type, author_id, author_email, author_name, attachments, source_inbound_email_id, search)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::tsvector)
       RETURNING ${COLUMNS}`,
      [
        ticketId, c.body, c.html ?? null, c.public, c.author.type, c.author.id ?? null, c.author.email ?? null, c.author.name ?? null,
        JSON.stringify(c.attachments), c.sourceInboundEmailId ?? null, commentSearchVector(c.body),
      ],
    );
    return toRecord(rows[0]!);
  }

  /** Whether a comment was already made from this inbound e-mail (a redelivered message). */
  async existsFromInboundEmail(tx: EntityManager, inboundEmailId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(`SELECT 1 FROM tickets.comments WHERE source_inbound_email_id = $1`, [inboundEmailId]);
    return rows.length > 0;
  }

  /** A ticket's comments after the cursor position, oldest first (`limit + 1` rows tell whether more follow). */
  async listAfter(ticketId: string, after: { createdCursor: string; id: string } | null, limit: number): Promise<CommentRecord[]> {
    const rows: CommentRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM tickets.comments
        WHERE ticket_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [ticketId, after?.createdCursor ?? null, after?.id ?? null, limit + 1],
    );
    return rows.map(toRecord);
  }
}
