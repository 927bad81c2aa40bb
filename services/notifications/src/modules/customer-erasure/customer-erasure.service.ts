import type { CustomerErasedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { UndeliverableAddressesRepository } from '../undeliverable-addresses/undeliverable-addresses.repository.js';
import { CustomerErasureRepository } from './customer-erasure.repository.js';

/**
 * A customer was erased (right to erasure): the projection keeps a tombstone, and the message
 * log, the tracking events and what is still to be announced lose the customer's personal data.
 * One transaction (the job's), so a worker dying half-way leaves nothing half-erased.
 */
@Injectable()
export class CustomerErasure {
  constructor(
    private readonly customers: CustomerProjectionRepository,
    private readonly erasure: CustomerErasureRepository,
    private readonly undeliverable: UndeliverableAddressesRepository,
  ) {}

  /** Returns how many messages were scrubbed. */
  async erase(tx: EntityManager, e: CustomerErasedPayload): Promise<number> {
    await this.customers.erase(tx, e);
    const messages = await this.erasure.scrubMessages(tx, e);
    await this.erasure.scrubShipmentEvents(tx, e);
    await this.erasure.scrubOutbox(tx, e);
    await this.erasure.scrubWebhookMessages(tx, e);
    await this.undeliverable.forget(tx, e.emailHashes);
    return messages;
  }
}
