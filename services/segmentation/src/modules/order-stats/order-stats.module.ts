import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { OrderStatsService } from './order-stats.service.js';
import { OrdersRepository } from './orders.repository.js';

/** Customers' order statistics, fed by `order.recorded` from notifications. */
@Module({ imports: [CustomersModule, SegmentsModule], providers: [OrderStatsService, OrdersRepository], exports: [OrderStatsService] })
export class OrderStatsModule {}
