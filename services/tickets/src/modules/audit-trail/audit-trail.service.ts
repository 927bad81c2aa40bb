import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import type { AuditTrailEntryDto } from './audit-trail-entry.dto.js';
import type { AuditTrailEntryRecord } from './audit-trail-entry.record.js';
import { AuditTrailRepository } from './audit-trail.repository.js';

function toDto(e: AuditTrailEntryRecord): AuditTrailEntryDto {
  return { id: e.id, type: e.type, field: e.field, from: e.from, to: e.to, actor: e.actor, data: e.data, createdAt: e.createdAt.toISOString() };
}

/** Reading a ticket's audit trail (writing it is part of every ticket change: TicketChanges). */
@Injectable()
export class AuditTrailService {
  constructor(private readonly auditTrail: AuditTrailRepository) {}

  async list(ticketId: string, limit: number, cursor?: string): Promise<Page<AuditTrailEntryDto>> {
    const [afterSeq] = cursor ? (decodeCursor(cursor, ['bigint']) as [string]) : [null];
    const entries = await this.auditTrail.listAfter(ticketId, afterSeq === null ? null : String(afterSeq), limit);
    return toPage(entries, limit, (e) => [e.seq], toDto);
  }
}
