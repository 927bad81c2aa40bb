import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** An address a permanent bounce named, and why mail to it does not arrive. */
export interface UndeliverableAddress {
  /** Lower-case. */
  address: string;
  reason: string;
}

/** Addresses known not to accept mail (`notifications.undeliverable_addresses`); recording mail consults it (OutboundMessagesRepository). */
@Injectable()
export class UndeliverableAddressesRepository {
  /** Marks the addresses undeliverable as of `bouncedAt`; a later report already recorded for one keeps its reason. */
  async mark(tx: EntityManager, addresses: readonly UndeliverableAddress[], bouncedAt: Date, inboundEmailId: string): Promise<void> {
    if (addresses.length === 0) return;
    await tx.query(
      `INSERT INTO notifications.undeliverable_addresses AS u (address, reason, bounced_at, inbound_email_id)
       SELECT a.address, a.reason, $3, $4 FROM unnest($1::text[], $2::text[]) AS a(address, reason)
       ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, bounced_at = excluded.bounced_at, inbound_email_id = excluded.inbound_email_id
       WHERE u.bounced_at <= excluded.bounced_at`,
      [addresses.map((a) => a.address), addresses.map((a) => a.reason), bouncedAt, inboundEmailId],
    );
  }

  /** Forgets the addresses among the erased ones (by hash): a bounce's reason may quote them. */
  async forget(tx: EntityManager, emailHashes: readonly string[]): Promise<void> {
    await tx.query(`DELETE FROM notifications.undeliverable_addresses WHERE notifications.email_hash(address) = ANY($1::text[])`, [emailHashes]);
  }
}
