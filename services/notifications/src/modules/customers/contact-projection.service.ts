import type { CustomerUpsertedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface Contact {
  externalId: string;
  email: string | null;
  name: string | null;
  locale: string | null;
  undeliverableReason: string | null;
}

/**
 * The contact's columns for a query that joins `notifications.customers AS c` (LEFT JOIN: a
 * customer may not be known yet); `contactFrom` reads them back.
 */
export const CONTACT_COLUMNS = `c.external_id AS contact_external_id, c.email AS contact_email, c.name AS contact_name,
  c.locale AS contact_locale, c.undeliverable_reason AS contact_undeliverable_reason`;

export interface ContactColumns {
  contact_external_id: string | null;
  contact_email: string | null;
  contact_name: string | null;
  contact_locale: string | null;
  contact_undeliverable_reason: string | null;
}

export function contactFrom(row: ContactColumns): Contact | null {
  if (!row.contact_external_id) return null;
  return {
    externalId: row.contact_external_id,
    email: row.contact_email,
    name: row.contact_name,
    locale: row.contact_locale,
    undeliverableReason: row.contact_undeliverable_reason,
  };
}

/** What notifications knows about a customer: where to write, in which language, whether it bounces. */
@Injectable()
export class ContactProjectionService {
  async apply(tx: EntityManager, c: CustomerUpsertedPayload): Promise<void> {
    await tx.query(
      `INSERT INTO notifications.customers AS p (external_id, email, name, locale, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (external_id) DO UPDATE SET email = excluded.email, name = excluded.name, locale = excluded.locale,
         version = excluded.version, updated_at = excluded.updated_at,
         -- a new address may deliver again
         undeliverable_at = CASE WHEN lower(p.email) IS DISTINCT FROM lower(excluded.email) THEN NULL ELSE p.undeliverable_at END,
         undeliverable_reason = CASE WHEN lower(p.email) IS DISTINCT FROM lower(excluded.email) THEN NULL ELSE p.undeliverable_reason END
       WHERE p.version < excluded.version`,
      [c.externalId, c.email, c.name, c.locale, c.version, c.updatedAt],
    );
  }

  async find(tx: EntityManager, externalId: string | null): Promise<Contact | null> {
    if (!externalId) return null;
    const rows: ContactColumns[] = await tx.query(`SELECT ${CONTACT_COLUMNS} FROM notifications.customers c WHERE c.external_id = $1`, [externalId]);
    return rows[0] ? contactFrom(rows[0]) : null;
  }
}
