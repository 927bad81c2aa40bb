import type { CustomerObservedPayload } from '@careflow/contracts';
import type { Page } from '@careflow/http';
import { Outbox, type OutboxEvent } from '@careflow/persistence';
import { NotFoundError } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SegmentsService } from '../segments/segments.service.js';
import type { CustomerRecord } from './customer.record.js';
import { CustomersRepository, type CustomerFilter, type UpsertOutcome } from './customers.repository.js';
import type { UpsertCustomerDto } from './dto/upsert-customer.dto.js';

@Injectable()
export class CustomersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly customers: CustomersRepository,
    private readonly segments: SegmentsService,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Upserts the customer, re-segments them when a rule input changed (tags, the VIP flag, the
   * override), and announces both, in one transaction.
   */
  async upsert(externalId: string, dto: UpsertCustomerDto): Promise<{ customer: CustomerRecord; outcome: UpsertOutcome }> {
    return this.db.transaction(async (tx) => {
      const result = await this.customers.upsert(tx, externalId, {
        email: dto.email ?? null,
        name: dto.name ?? null,
        phone: dto.phone ?? null,
        locale: dto.locale ?? null,
        tags: [...new Set(dto.tags ?? [])],
        vip: dto.vip ?? null,
        segmentOverride: dto.segmentOverride ?? null,
      });
      if (result.outcome === 'unchanged') return result;
      await this.announce(tx, result.customer);
      if (!result.inputsChanged) return result;
      await this.segments.evaluate(tx, [result.customer.id]);
      return { ...result, customer: (await this.customers.findById(tx, result.customer.id))! };
    });
  }

  /**
   * Customers met on tickets or in mail (see CustomersRepository.observe), each in the context
   * of the request that met them: the changed ones announced by one statement, the new ones
   * segmented by one evaluation.
   */
  async observe(tx: EntityManager, observations: ReadonlyArray<{ observation: CustomerObservedPayload; requestId: string | null }>): Promise<void> {
    const announcements: OutboxEvent[] = [];
    const created: string[] = [];
    const results = await this.customers.observeMany(
      tx,
      observations.map(({ observation: o }) => ({ externalId: o.externalId, email: o.email, name: o.name, origin: o.source })),
    );
    for (const [i, result] of results.entries()) {
      if (!result || result.outcome === 'unchanged') continue;
      announcements.push({ ...upserted(result.customer), requestId: observations[i]!.requestId });
      if (result.outcome === 'created') created.push(result.customer.id);
    }
    await this.outbox.enqueueMany(tx, announcements);
    if (created.length > 0) await this.segments.evaluate(tx, created);
  }

  async get(externalId: string): Promise<CustomerRecord> {
    const customer = await this.customers.findByExternalId(externalId);
    if (!customer) throw new NotFoundError('customer', externalId);
    return customer;
  }

  async list(filter: CustomerFilter): Promise<Page<CustomerRecord>> {
    return this.customers.list(filter);
  }

  /**
   * Right to erasure: the customer's record and order statistics go; every other service
   * removes or anonymises what it holds about them on `customer.erased` (orders and tickets stay
   * for the shop's books, without personal data).
   */
  async erase(externalId: string): Promise<{ personalData: string[] }> {
    return this.db.transaction(async (tx) => {
      const erased = await this.customers.erase(tx, externalId);
      if (!erased) throw new NotFoundError('customer', externalId);
      await this.outbox.enqueue(tx, 'customer.erased', {
        externalId: erased.externalId,
        emailHashes: erased.emailHashes,
        version: erased.version,
        segmentVersion: erased.segmentVersion,
        erasedAt: new Date(),
      });
      return { personalData: erased.personalData };
    });
  }

  /** Announces a customer an order created (no contact data yet, but known to every service from now on). */
  async announceCreated(tx: EntityManager, customerId: string): Promise<void> {
    const customer = await this.customers.findById(tx, customerId);
    if (customer) await this.announce(tx, customer);
  }

  private async announce(tx: EntityManager, c: CustomerRecord): Promise<void> {
    await this.outbox.enqueueMany(tx, [upserted(c)]);
  }
}

/** `customer.upserted` for the customer as recorded. */
function upserted(c: CustomerRecord): OutboxEvent {
  return {
    event: 'customer.upserted',
    payload: {
      externalId: c.externalId,
      email: c.email,
      name: c.name,
      phone: c.phone,
      locale: c.locale,
      tags: c.tags,
      vip: c.vip,
      version: c.version,
      updatedAt: c.updatedAt,
    },
  };
}
