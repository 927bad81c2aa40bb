import type { CustomerErasedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { CustomerErasureRepository } from './customer-erasure.repository.js';

/**
 * A customer was erased (right to erasure): the projection keeps a tombstone, and their
 * tickets keep their place in the shop's books without the customer's personal data. One
 * transaction (the job's), so a worker dying half-way leaves nothing half-erased.
 */
@Injectable()
export class CustomerErasure {
  constructor(
    private readonly customers: CustomerProjectionRepository,
    private readonly erasure: CustomerErasureRepository,
  ) {}

  /** Returns how many tickets were scrubbed. */
  async erase(tx: EntityManager, e: CustomerErasedPayload): Promise<number> {
    const known = await this.customers.erase(tx, e);
    const { ids, details } = await this.erasure.lockTickets(tx, e);
    // What the projection knew counts too: an agent may have written the phone number down.
    const all = {
      addresses: [...details.addresses, known?.email ?? null],
      names: [...details.names, known?.name ?? null],
      phones: [...details.phones, known?.phone ?? null],
    };
    if (ids.length > 0) {
      await this.erasure.scrubTickets(tx, ids);
      await this.erasure.scrubComments(tx, ids, all);
      await this.erasure.scrubAuditTrail(tx, ids, all, e.erasedAt);
    }
    await this.erasure.forgetMailParticipants(tx, ids, e.emailHashes);
    await this.erasure.scrubOutbox(tx, e, ids);
    return ids.length;
  }
}
