import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { TicketsInboxProcessor } from './tickets-inbox.processor.js';

@Module({
  imports: [CustomersModule],
  providers: [TicketsInboxProcessor],
})
export class InboxModule {}
