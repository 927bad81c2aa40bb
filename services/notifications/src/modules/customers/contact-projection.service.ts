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
    const rows: Array<Record<string, string | null>> = await tx.query(
      `SELECT external_id, email, name, locale, undeliverable_reason FROM notifications.customers WHERE external_id = $1`,
      [externalId],
    );
    const r = rows[0];
    return r
      ? { externalId: r['external_id']!, email: r['email'] ?? null, name: r['name'] ?? null, locale: r['locale'] ?? null, undeliverableReason: r['undeliverable_reason'] ?? null }
      : null;
  }
}
