import { Module } from '@nestjs/common';
import { CustomerProjectionService } from './customer-projection.service.js';

@Module({
  providers: [CustomerProjectionService],
  exports: [CustomerProjectionService],
})
export class CustomersModule {}
