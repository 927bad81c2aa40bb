import { NotFoundError } from '@careflow/platform';
import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CustomersRepository, type UpsertOutcome } from './customers.repository.js';
import type { UpsertCustomerDto } from './dto/upsert-customer.dto.js';
import type { Customer } from './entities/customer.entity.js';

@Injectable()
export class CustomersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly customers: CustomersRepository,
    private readonly outbox: Outbox,
  ) {}

  /** Upserts the customer and announces the change in the same transaction. */
  async upsert(externalId: string, dto: UpsertCustomerDto): Promise<{ customer: Customer; outcome: UpsertOutcome }> {
    return this.db.transaction(async (tx) => {
      const result = await this.customers.upsert(tx, externalId, {
        email: dto.email ?? null,
        name: dto.name ?? null,
        phone: dto.phone ?? null,
        locale: dto.locale ?? null,
        tags: [...new Set(dto.tags ?? [])],
        vip: dto.vip ?? null,
      });
      if (result.outcome !== 'unchanged') {
        const c = result.customer;
        await this.outbox.enqueue(tx, 'customer.upserted', {
          externalId: c.externalId,
          email: c.email,
          name: c.name,
          phone: c.phone,
          locale: c.locale,
          tags: c.tags,
          vip: c.vip,
          version: c.version,
          updatedAt: c.updatedAt,
        });
      }
      return result;
    });
  }

  async get(externalId: string): Promise<Customer> {
    const customer = await this.customers.findByExternalId(externalId);
    if (!customer) throw new NotFoundError('customer', externalId);
    return customer;
  }
}
