import { decodeCursor, toPage, type CursorPart, type Page } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ListTicketsQuery, TicketSort } from './dto/list-tickets.query.js';
import { searchQuery } from './search-terms.js';
import type { TicketRecord } from './ticket.record.js';
import { TICKET_FROM, TICKET_LIST_COLUMNS, toTicketRecord, type TicketRow } from './tickets.repository.js';

interface SortSpec {
  columns: string[];
  casts: Array<'timestamptz' | 'uuid' | 'smallint'>;
  descending: boolean;
  cursorOf: (t: TicketRecord) => Array<string | number>;
}

const SORTS: Record<TicketSort, SortSpec> = {
  createdAt: { columns: ['t.created_at', 't.id'], casts: ['timestamptz', 'uuid'], descending: false, cursorOf: (t) => [t.createdCursor, t.id] },
  '-createdAt': { columns: ['t.created_at', 't.id'], casts: ['timestamptz', 'uuid'], descending: true, cursorOf: (t) => [t.createdCursor, t.id] },
  updatedAt: { columns: ['t.updated_at', 't.id'], casts: ['timestamptz', 'uuid'], descending: false, cursorOf: (t) => [t.updatedCursor, t.id] },
  '-updatedAt': { columns: ['t.updated_at', 't.id'], casts: ['timestamptz', 'uuid'], descending: true, cursorOf: (t) => [t.updatedCursor, t.id] },
  priority: { columns: ['t.priority_rank', 't.created_at', 't.id'], casts: ['smallint', 'timestamptz', 'uuid'], descending: false, cursorOf: (t) => [t.priorityRank, t.createdCursor, t.id] },
  '-priority': { columns: ['t.priority_rank', 't.created_at', 't.id'], casts: ['smallint', 'timestamptz', 'uuid'], descending: true, cursorOf: (t) => [t.priorityRank, t.createdCursor, t.id] },
};

/**
 * Ticket lists: filters, accent-insensitive full text over subject, description and comments
 * (tsvector + GIN, words found by `search-terms`), and keyset pagination, so pages
 * neither repeat nor skip rows while tickets are being created.
 */
@Injectable()
export class TicketSearchRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(q: ListTicketsQuery): Promise<Page<TicketRecord>> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown, cast = ''): string => {
      values.push(value);
      return `$${values.length}${cast}`;
    };
    if (q.status?.length) where.push(`t.status = ANY(${param(q.status)}::text[])`);
    if (q.priority?.length) where.push(`t.priority = ANY(${param(q.priority)}::text[])`);
    if (q.segment) where.push(`t.segment = ${param(q.segment)}`);
    if (q.customerExternalId) where.push(`t.customer_external_id = ${param(q.customerExternalId)}`);
    if (q.group) where.push(`g.key = ${param(q.group)}`);
    if (q.tag) where.push(`t.tags @> ARRAY[${param(q.tag)}]::text[]`);
    if (q.assignee) where.push(`t.assignee_id = ${param(q.assignee)}`);
    if (q.channel) where.push(`t.channel = ${param(q.channel)}`);
    if (q.type) where.push(`t.type = ${param(q.type)}`);
    if (q.createdAfter) where.push(`t.created_at >= ${param(q.createdAfter)}::timestamptz`);
    if (q.createdBefore) where.push(`t.created_at < ${param(q.createdBefore)}::timestamptz`);
    if (q.q) {
      const query = searchQuery(q.q);
      if (query === null) where.push('false'); // no word to look for: nothing matches
      else {
        const tsquery = `${param(query)}::tsquery`;
        where.push(`(t.search @@ ${tsquery} OR EXISTS (SELECT 1 FROM tickets.comments c WHERE c.ticket_id = t.id AND c.search @@ ${tsquery}))`);
      }
    }
    const sort = SORTS[q.sort];
    if (q.cursor) {
      const after = decodeCursor(q.cursor, sort.casts.map((c): CursorPart => (c === 'timestamptz' ? 'timestamp' : c === 'smallint' ? 'smallint' : 'uuid')));
      const placeholders = after.map((v, i) => param(v, `::${sort.casts[i]}`));
      where.push(`(${sort.columns.join(', ')}) ${sort.descending ? '<' : '>'} (${placeholders.join(', ')})`);
    }
    const order = sort.columns.map((c) => `${c} ${sort.descending ? 'DESC' : 'ASC'}`).join(', ');
    const rows: TicketRow[] = await this.db.query(
      `SELECT ${TICKET_LIST_COLUMNS} FROM ${TICKET_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${order} LIMIT ${param(q.limit + 1)}`,
      values,
    );
    return toPage(rows.map(toTicketRecord), q.limit, sort.cursorOf, (t) => t);
  }
}
