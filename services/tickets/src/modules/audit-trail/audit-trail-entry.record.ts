import type { TicketActor } from '@careflow/contracts';
import type { AuditTrailEntryType } from './audit-trail-entry.dto.js';

/** One change to record in a ticket's audit trail: a field's before and after, or what happened. */
export interface AuditTrailEntry {
  type: AuditTrailEntryType;
  field?: string;
  from?: unknown;
  to?: unknown;
  data?: Record<string, unknown>;
}

/** An entry as the audit trail stores it, in the order it was written (`seq`). */
export interface AuditTrailEntryRecord {
  id: string;
  seq: string;
  type: AuditTrailEntryType;
  field: string | null;
  from: unknown;
  to: unknown;
  actor: TicketActor;
  data: Record<string, unknown>;
  createdAt: Date;
}
