import type { InboundEmailBouncedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { UndeliverableAddressesRepository, type UndeliverableAddress } from './undeliverable-addresses.repository.js';

/**
 * A delivery status notification about mail the product sent: each recipient that failed
 * permanently is not mailed again (every later message to it is recorded suppressed, naming the
 * reason), whether or not a customer of the shop has that address. A temporary failure
 * (a full mailbox, a greylisting server) suppresses nothing: the relay retries on its own.
 */
@Injectable()
export class UndeliverableAddresses {
  constructor(
    private readonly addresses: UndeliverableAddressesRepository,
    private readonly customers: CustomerProjectionRepository,
  ) {}

  /** Returns how many addresses were marked, and how many failures were only temporary. */
  async applyBounce(tx: EntityManager, b: InboundEmailBouncedPayload): Promise<{ undeliverable: number; transient: number }> {
    const permanent = new Map<string, UndeliverableAddress>();
    for (const r of b.recipients.filter((r) => r.permanent)) {
      const address = r.address.trim().toLowerCase();
      if (address.includes('@')) permanent.set(address, { address, reason: bounceReason(r) });
    }
    const marked = [...permanent.values()];
    await this.addresses.mark(tx, marked, b.receivedAt, b.inboundEmailId);
    await this.customers.markUndeliverable(tx, marked, b.receivedAt);
    return { undeliverable: marked.length, transient: b.recipients.filter((r) => !r.permanent).length };
  }
}

/** `5.1.1 smtp; 550 5.1.1 <x@example.com>: Recipient address rejected`: the status code and the remote server's words. */
function bounceReason(r: { status: string | null; diagnostic: string | null }): string {
  return `${r.status ?? 'permanent failure'}${r.diagnostic ? ` ${r.diagnostic.replace(/\s+/g, ' ').trim()}` : ''}`;
}
