import { Module } from '@nestjs/common';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { UndeliverableAddressesRepository } from './undeliverable-addresses.repository.js';
import { UndeliverableAddresses } from './undeliverable-addresses.service.js';

/** Addresses that bounce permanently: recorded from delivery status notifications, never mailed again. */
@Module({
  imports: [CustomerProjectionModule],
  providers: [UndeliverableAddressesRepository, UndeliverableAddresses],
  exports: [UndeliverableAddressesRepository, UndeliverableAddresses],
})
export class UndeliverableAddressesModule {}
