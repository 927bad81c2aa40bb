import type { OrderRecordedPayload } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomersRepository } from '../customers/customers.repository.js';
import { CustomersService } from '../customers/customers.service.js';
import { SegmentsService } from '../segments/segments.service.js';
import { OrdersRepository } from './orders.repository.js';

/**
 * A recorded order feeds its customer's statistics and segments. The customer's row is
 * locked first, so concurrent orders of one customer are applied one after the other and the
 * statistics, recomputed from the orders under that lock, are exact.
 */
@Injectable()
export class OrderStatsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly customers: CustomersRepository,
    private readonly customerEvents: CustomersService,
    private readonly segments: SegmentsService,
  ) {}

  async record(tx: EntityManager, order: OrderRecordedPayload): Promise<void> {
    const owner = await this.customers.lockForOrder(tx, order.customerExternalId);
    if (!owner) return; // an erased customer's order: not counted, and no customer is re-created for it
    const previous = await this.orders.lockOwner(tx, order.externalId);
    if (previous && previous.version >= order.version) return;
    // An order moved to another customer changes both; lock the earlier owner too.
    const affected = previous && previous.customerId !== owner.id ? [owner.id, previous.customerId] : [owner.id];
    if (affected.length > 1) await this.customers.lockIds(tx, affected);
    if (!(await this.orders.upsert(tx, owner.id, order))) return;
    await this.customers.refreshStats(tx, affected);
    if (owner.created) await this.customerEvents.announceCreated(tx, owner.id);
    await this.segments.evaluate(tx, affected);
  }
}
