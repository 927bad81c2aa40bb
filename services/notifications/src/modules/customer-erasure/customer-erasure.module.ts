import { Module } from '@nestjs/common';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { UndeliverableAddressesModule } from '../undeliverable-addresses/undeliverable-addresses.module.js';
import { CustomerErasureRepository } from './customer-erasure.repository.js';
import { CustomerErasure } from './customer-erasure.service.js';

/** Erasure of a customer's personal data from the projection, the message log, tracking events and the outbox. */
@Module({ imports: [CustomerProjectionModule, UndeliverableAddressesModule], providers: [CustomerErasureRepository, CustomerErasure], exports: [CustomerErasure] })
export class CustomerErasureModule {}
