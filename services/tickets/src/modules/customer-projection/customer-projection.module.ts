import { Module } from '@nestjs/common';
import { CustomerProjectionRepository } from './customer-projection.repository.js';

@Module({
  providers: [CustomerProjectionRepository],
  exports: [CustomerProjectionRepository],
})
export class CustomerProjectionModule {}
